import type { BatchBuilder } from '../../core/batch.js';
import { decimalsOf, parseUnits } from '../../core/decimal.js';
import { Action, Flag } from '../../core/event.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';

const SIZE_DECIMALS = 8;
type Entry = [string, string, string, string?];

/**
 * Kraken websocket v1 `book` channel messages as L2 rows. A snapshot (`as`/`bs`) restates the pair's
 * book; an update carries `a` and/or `b` entries ([price, volume, time, "r" if republished]; volume 0
 * removes the level) and the checksum `c` of the book after it, written as a Checksum row. The pair's
 * price decimals are those of its snapshot (the checksum is computed on Kraken's own decimal text).
 * Each level row keeps its entry's own time; the checksum row has the message's latest.
 */
export class KrakenBookFeed {
  private readonly pairs = new Map<number, string>();
  private readonly instrumentOf = new Map<string, number>();

  constructor(
    private readonly builder: () => BatchBuilder,
    private readonly instruments: InstrumentTable,
    private readonly integrity: Integrity,
    private readonly timeOffset: (epochSecondsText: string) => number,
  ) {}

  message(message: unknown, recv: number, line: number, raw: string): void {
    const report = this.integrity.report;
    if (!Array.isArray(message)) {
      const event = message as { event?: string; channelID?: number; pair?: string; status?: string };
      if (event.event === 'subscriptionStatus' && typeof event.channelID === 'number' && typeof event.pair === 'string') this.pairs.set(event.channelID, event.pair);
      report.note(`event_${event.event ?? 'unknown'}`);
      return;
    }
    const pair = message.at(-1);
    const channel = message.at(-2);
    if (typeof pair !== 'string' || typeof channel !== 'string' || !channel.startsWith('book')) {
      report.note('other_channel_messages');
      return;
    }
    const bodies = message.slice(1, -2) as Record<string, unknown>[];
    if ('as' in bodies[0]! || 'bs' in bodies[0]!) return this.snapshot(pair, bodies[0]!, recv, line, raw);
    const instrument = this.instrumentOf.get(pair);
    if (instrument === undefined) {
      this.integrity.reject('malformed_row', line, 'pair', `update for ${pair} before its snapshot`, raw);
      return;
    }
    // Check the whole message first: a rejected message must leave no rows behind.
    for (const body of bodies) {
      for (const key of ['a', 'b'] as const) {
        for (const entry of (body[key] as Entry[] | undefined) ?? []) if (!this.entryValid(instrument, entry, line, raw)) return;
      }
    }
    const builder = this.builder();
    let ts = NaN;
    let checksum: number | null = null;
    for (const body of bodies) {
      for (const [key, side] of [['a', -1], ['b', 1]] as const) {
        const entries = body[key] as Entry[] | undefined;
        if (!entries) continue;
        for (const entry of entries) {
          const row = this.level(instrument, side, entry, recv, line, 0, raw);
          if (row === null) return;
          if (!(row <= ts)) ts = row;
        }
      }
      if (typeof body.c === 'string') checksum = Number(body.c);
    }
    if (checksum !== null) builder.push(ts, recv, instrument, Action.Checksum, 0, 0, checksum, 0, line, 0, line);
    builder.endUpdate();
  }

  private snapshot(pair: string, body: Record<string, unknown>, recv: number, line: number, raw: string): void {
    const asks = body.as as Entry[] | undefined;
    const bids = body.bs as Entry[] | undefined;
    if (!Array.isArray(asks) || !Array.isArray(bids)) {
      this.integrity.reject('malformed_row', line, 'as/bs', 'expected arrays of [price, volume, time]', raw);
      return;
    }
    let instrument = this.instrumentOf.get(pair);
    if (instrument === undefined) {
      // Prices are kept at the decimals they really use (trailing zeros dropped), so that 8 printed
      // decimals do not push large prices past 2^53; the printed width is kept for the checksum.
      const prices = [...asks, ...bids].map((entry) => String(entry[0]));
      const printed = Math.max(0, ...prices.map(decimalsOf));
      const priceDecimals = Math.max(0, ...prices.map((text) => decimalsOf(text.includes('.') ? text.replace(/0+$/, '') : text)));
      instrument = this.instruments.intern({ venue: 'kraken', symbol: pair, venueId: -1, priceDecimals, sizeDecimals: SIZE_DECIMALS, tickUnits: 0, printDecimals: { price: printed, size: SIZE_DECIMALS } });
      this.instrumentOf.set(pair, instrument);
    }
    for (const entry of [...asks, ...bids]) if (!this.entryValid(instrument, entry, line, raw)) return;
    const builder = this.builder();
    builder.push(recv, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
    for (const [entries, side] of [[asks, -1], [bids, 1]] as const) {
      for (const entry of entries) if (this.level(instrument, side, entry, recv, line, Flag.Snapshot, raw) === null) return;
    }
    builder.push(recv, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot | Flag.Last, line);
  }

  /** True when an entry's price, volume and time parse; otherwise rejects the message naming the field. */
  private entryValid(instrument: number, entry: Entry, line: number, raw: string): boolean {
    const { priceDecimals } = this.instruments.get(instrument);
    const price = Array.isArray(entry) ? parseUnits(entry[0], priceDecimals) : NaN;
    const volume = Array.isArray(entry) ? parseUnits(entry[1], SIZE_DECIMALS) : NaN;
    const time = Array.isArray(entry) && typeof entry[2] === 'string' ? this.timeOffset(entry[2]) : NaN;
    if (!Number.isNaN(price) && !Number.isNaN(volume) && !Number.isNaN(time)) return true;
    this.integrity.reject('malformed_row', line, Number.isNaN(price) ? 'price' : Number.isNaN(volume) ? 'volume' : 'time', `not valid in ${JSON.stringify(entry)}`, raw);
    return false;
  }

  /** Writes one (checked) entry as a level row; returns its time, or null after rejecting the message. */
  private level(instrument: number, side: number, entry: Entry, recv: number, line: number, flags: number, raw: string): number | null {
    const { priceDecimals } = this.instruments.get(instrument);
    const price = Array.isArray(entry) ? parseUnits(entry[0], priceDecimals) : NaN;
    const volume = Array.isArray(entry) ? parseUnits(entry[1], SIZE_DECIMALS) : NaN;
    const time = Array.isArray(entry) && typeof entry[2] === 'string' ? this.timeOffset(entry[2]) : NaN;
    if (Number.isNaN(price) || Number.isNaN(volume) || Number.isNaN(time)) {
      this.integrity.reject('malformed_row', line, Number.isNaN(price) ? 'price' : Number.isNaN(volume) ? 'volume' : 'time', `not valid in ${JSON.stringify(entry)}`, raw);
      return null;
    }
    if (entry[3] === 'r') this.integrity.report.note('republished_levels');
    this.builder().push(time, recv, instrument, volume > 0 ? Action.LevelSet : Action.LevelDelete, side, price, volume, 0, line, flags, line);
    return time;
  }
}
