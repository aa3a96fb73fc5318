import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { parseUnits } from '../../core/decimal.js';
import { InputError } from '../../core/errors.js';
import { Action, Flag, Stat } from '../../core/event.js';
import { ReaderBase } from '../reader-base.js';
import type { EventSource, Granularity, OpenOptions } from '../../core/source.js';
import { textLineBatches } from '../lines.js';
import { rateIsRounded, rateUnits } from '../stat-values.js';
import { tardisKind, type TardisKind } from './format.js';

/** Tardis prints prices and amounts as plain decimals; 8 decimals hold every venue it serves. */
const DECIMALS = 8;
/**
 * Decimals of open interest in derivative_ticker rows: BitMEX and Deribit count it in USD contracts (10^9
 * and more), which 8 decimals would push past 2^53 units; venues counting coins print at most 4.
 */
export const OPEN_INTEREST_DECIMALS = 4;
/** derivative_ticker columns 5.. kept as Stat rows, in file order: [column, Stat code, kind of value]. */
const TICKER_STATS: readonly [string, number, 'rate' | 'size' | 'price'][] = [
  ['funding_rate', Stat.FundingRate, 'rate'],
  ['predicted_funding_rate', Stat.PredictedFundingRate, 'rate'],
  ['open_interest', Stat.OpenInterest, 'size'],
  ['last_price', Stat.LastPrice, 'price'],
  ['index_price', Stat.IndexPrice, 'price'],
  ['mark_price', Stat.MarkPrice, 'price'],
];

/**
 * Tardis.dev's normalized CSV datasets. Times: `timestamp` (the exchange's, µs) → tsEvent and
 * `local_timestamp` (µs) → tsRecv. Rows with the same timestamps are one message, one atomic update.
 * - incremental_book_L2: `LevelSet`/`LevelDelete` (amount 0); a run of is_snapshot=true rows is a full
 *   snapshot of the symbol's book (Tardis starts one after every reconnect).
 * - book_snapshot_N: each row restates the book as its N levels per side (empty levels are empty fields):
 *   a full snapshot, since nothing deeper is known — a depth-N restatement would keep levels that left the
 *   top N with stale sizes.
 * - quotes: each row restates the book as the best bid and ask (a full snapshot of one level per side).
 * - trades: `Trade` rows; side buy/sell is the aggressor, unknown is 0; the trade id is not kept
 *   (some venues' ids are not numbers), `seq` is the row number.
 * - derivative_ticker: one `Stat` row per non-empty value (funding and predicted funding rate, open
 *   interest, last, index and mark price); an empty field is a value the venue did not send. Rates are
 *   kept at 1e-12 (longer ones rounded, counted); funding_timestamp is checked but not kept (counted).
 */
export class TardisCsvSource extends ReaderBase implements EventSource {
  readonly granularity: Granularity;
  private builder: BatchBuilder | null = null;
  private baseUs = 0;
  private readonly instrumentOf = new Map<string, number>();
  private readonly inSnapshot = new Set<number>();
  /** The open message: its instrument and timestamps, to close it when the next row starts another. */
  private open = { instrument: -1, ts: '', recv: '' };
  /** The values of the derivative_ticker row being read, in TICKER_STATS order (NaN: empty). */
  private readonly tickerValues = new Float64Array(TICKER_STATS.length);
  /** Event time, receive time and line of the last row read. */
  private lastTimes: [number, number, number] = [NaN, NaN, 0];

  constructor(path: string, options: OpenOptions, readonly kind: TardisKind, private readonly depth: number) {
    super(path, 'tardis-csv', options);
    this.granularity = kind === 'trades' || kind === 'derivative_ticker' ? 'trades' : kind === 'quotes' ? 'quotes' : 'L2';
  }

  async *batches(): AsyncGenerator<EventBatch> {
    for await (const { firstLine, lines } of textLineBatches(this.path)) {
      for (let k = 0; k < lines.length; k++) {
        const line = firstLine + k;
        if (line === 1) {
          if (!tardisKind(lines[k]!)) throw new InputError(this.path, 1, 'header', `not a Tardis ${this.kind} header`);
          continue;
        }
        this.row(line, lines[k]!);
        if (this.builder) for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
      }
    }
    // A file may end inside a snapshot (a cut file, or a recording stopped during one): close it.
    for (const instrument of this.inSnapshot) {
      this.integrity.report.note('snapshot_open_at_end');
      this.endSnapshot(instrument, this.lastTimes[0], this.lastTimes[1], this.lastTimes[2]);
    }
    this.closeMessage();
    const last = this.builder?.flush();
    if (last) yield last;
  }

  private row(line: number, text: string): void {
    const report = this.integrity.report;
    if (text === '') {
      report.note('blank_lines');
      return;
    }
    report.rowsRead++;
    const fields = text.split(',');
    const expected = this.kind === 'book_snapshot' ? 4 + 4 * this.depth : this.kind === 'derivative_ticker' ? 11 : 8;
    if (fields.length !== expected) return this.reject(line, 'columns', `expected ${expected} fields, found ${fields.length}`, text);
    const [exchange, symbol, tsText, recvText] = fields as [string, string, string, string];
    const ts = this.micros(tsText);
    const recv = this.micros(recvText);
    if (Number.isNaN(ts)) return this.reject(line, 'timestamp', `not microseconds since the epoch: "${tsText}"`, text);
    if (Number.isNaN(recv)) return this.reject(line, 'local_timestamp', `not microseconds since the epoch: "${recvText}"`, text);
    const instrument = this.instrument(exchange, symbol);
    const builder = this.builder!;
    this.lastTimes = [ts, recv, line];
    // A new message starts when the instrument or either timestamp changes.
    if (instrument !== this.open.instrument || tsText !== this.open.ts || recvText !== this.open.recv) {
      this.closeMessage();
      this.open = { instrument, ts: tsText, recv: recvText };
    }
    switch (this.kind) {
      case 'incremental_book_L2': {
        const [, , , , snapshot, sideText, priceText, amountText] = fields as string[] as [string, string, string, string, string, string, string, string];
        const side = sideText === 'bid' ? 1 : sideText === 'ask' ? -1 : 0;
        const price = parseUnits(priceText, DECIMALS);
        const amount = parseUnits(amountText, DECIMALS);
        if (snapshot !== 'true' && snapshot !== 'false') return this.reject(line, 'is_snapshot', `expected true or false, found "${snapshot}"`, text);
        if (side === 0) return this.reject(line, 'side', `expected bid or ask, found "${sideText}"`, text);
        if (Number.isNaN(price) || Number.isNaN(amount)) return this.reject(line, Number.isNaN(price) ? 'price' : 'amount', `not a decimal: "${Number.isNaN(price) ? priceText : amountText}"`, text);
        const isSnapshot = snapshot === 'true';
        if (isSnapshot && !this.inSnapshot.has(instrument)) {
          this.inSnapshot.add(instrument);
          builder.push(ts, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
        } else if (!isSnapshot && this.inSnapshot.has(instrument)) this.endSnapshot(instrument, ts, recv, line);
        builder.push(ts, recv, instrument, amount > 0 ? Action.LevelSet : Action.LevelDelete, side, price, amount, 0, line, isSnapshot ? Flag.Snapshot : 0, line);
        return;
      }
      case 'trades': {
        const [, , , , , sideText, priceText, amountText] = fields as [string, string, string, string, string, string, string, string];
        const side = sideText === 'buy' ? 1 : sideText === 'sell' ? -1 : sideText === 'unknown' ? 0 : NaN;
        const price = parseUnits(priceText, DECIMALS);
        const amount = parseUnits(amountText, DECIMALS);
        if (Number.isNaN(side)) return this.reject(line, 'side', `expected buy, sell or unknown, found "${sideText}"`, text);
        if (Number.isNaN(price) || Number.isNaN(amount)) return this.reject(line, Number.isNaN(price) ? 'price' : 'amount', `not a decimal: "${Number.isNaN(price) ? priceText : amountText}"`, text);
        builder.push(ts, recv, instrument, Action.Trade, side, price, amount, 0, line, 0, line);
        return;
      }
      case 'derivative_ticker':
        return this.derivativeTicker(fields, instrument, ts, recv, line, text);
      default: {
        // quotes: ask_amount,ask_price,bid_price,bid_amount; book_snapshot: asks[k].price,asks[k].amount,bids[k].price,bids[k].amount
        const cells = this.kind === 'quotes' ? [fields[5]!, fields[4]!, fields[6]!, fields[7]!] : fields.slice(4);
        const levels: number[] = [];
        for (let k = 0; k < cells.length; k += 2) {
          if (cells[k] === '' && cells[k + 1] === '') {
            levels.push(NaN, NaN);
            continue;
          }
          const price = parseUnits(cells[k]!, DECIMALS);
          const amount = parseUnits(cells[k + 1]!, DECIMALS);
          if (Number.isNaN(price) || Number.isNaN(amount)) return this.reject(line, Number.isNaN(price) ? 'price' : 'amount', `not a decimal: "${Number.isNaN(price) ? cells[k] : cells[k + 1]}"`, text);
          levels.push(price, amount);
        }
        builder.push(ts, recv, instrument, Action.SnapshotBegin, 0, 0, 0, 0, line, Flag.Snapshot, line);
        for (let k = 0; k < levels.length; k += 2) {
          if (Number.isNaN(levels[k]!) || !(levels[k + 1]! > 0)) continue;
          builder.push(ts, recv, instrument, Action.LevelSet, (k / 2) % 2 === 0 ? -1 : 1, levels[k]!, levels[k + 1]!, 0, line, Flag.Snapshot, line);
        }
        builder.push(ts, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot, line);
      }
    }
  }

  /** One derivative_ticker row: its values checked whole, then one Stat row each (empty fields are absent). */
  private derivativeTicker(fields: string[], instrument: number, ts: number, recv: number, line: number, text: string): void {
    const report = this.integrity.report;
    const funding = fields[4]!;
    if (funding !== '' && !/^\d{1,16}$/.test(funding)) return this.reject(line, 'funding_timestamp', `not microseconds since the epoch: "${funding}"`, text);
    const values = this.tickerValues;
    let rounded = 0;
    for (let k = 0; k < TICKER_STATS.length; k++) {
      const cell = fields[5 + k]!;
      const [column, , kind] = TICKER_STATS[k]!;
      values[k] = cell === '' ? NaN : kind === 'rate' ? rateUnits(cell) : parseUnits(cell, kind === 'size' ? OPEN_INTEREST_DECIMALS : DECIMALS);
      if (cell !== '' && Number.isNaN(values[k]!)) return this.reject(line, column, `not a decimal${kind === 'rate' ? '' : ` exact at ${kind === 'size' ? OPEN_INTEREST_DECIMALS : DECIMALS} decimals`}: "${cell}"`, text);
      if (kind === 'rate' && cell !== '' && rateIsRounded(cell)) rounded++;
    }
    if (funding !== '') report.note('funding_timestamps_not_kept');
    if (rounded > 0) report.note('rates_rounded_to_1e-12', rounded);
    let n = 0;
    for (let k = 0; k < TICKER_STATS.length; k++) {
      const value = values[k]!;
      if (Number.isNaN(value)) continue;
      const price = TICKER_STATS[k]![2] === 'price';
      this.builder!.push(ts, recv, instrument, Action.Stat, 0, price ? value : 0, price ? 0 : value, TICKER_STATS[k]![1], line, 0, line);
      n++;
    }
    if (n === 0) report.note('derivative_ticker_rows_without_values');
  }

  private endSnapshot(instrument: number, ts: number, recv: number, line: number): void {
    this.inSnapshot.delete(instrument);
    this.open.instrument = instrument;
    this.builder!.push(ts, recv, instrument, Action.SnapshotEnd, 0, 0, 0, 0, line, Flag.Snapshot, line);
  }

  /** Ends the open message: its last row becomes the end of an atomic update. */
  private closeMessage(): void {
    if (this.open.instrument < 0 || !this.builder) return;
    this.builder.markLastOfInstrument(this.open.instrument);
  }

  private instrument(exchange: string, symbol: string): number {
    const key = `${exchange}\u0000${symbol}`;
    let index = this.instrumentOf.get(key);
    if (index === undefined) {
      const sizeDecimals = this.kind === 'derivative_ticker' ? OPEN_INTEREST_DECIMALS : DECIMALS;
      index = this.instruments.intern({ venue: exchange, symbol, venueId: -1, priceDecimals: DECIMALS, sizeDecimals, tickUnits: 0 });
      this.instrumentOf.set(key, index);
    }
    return index;
  }

  /** Microseconds since the epoch as ns after the time base (the first time's UTC midnight). */
  private micros(text: string): number {
    if (!/^\d{1,16}$/.test(text)) return NaN;
    const us = Number(text);
    if (!this.builder) {
      this.baseUs = us - (us % 86_400_000_000);
      this.builder = new BatchBuilder(this.instruments, BigInt(this.baseUs) * 1000n, this.batchRows);
    }
    return (us - this.baseUs) * 1000;
  }

  private reject(line: number, field: string, detail: string, raw: string): void {
    this.integrity.reject('malformed_row', line, field, detail, raw);
  }
}
