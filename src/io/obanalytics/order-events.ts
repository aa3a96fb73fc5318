import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import { Action, Flag } from '../../core/event.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';
import { NS_PER_DAY, NS_PER_MS } from '../../core/time.js';

/** What Bitstamp's live_orders channel says about an order. */
export type OrderEventKind = 'created' | 'changed' | 'deleted';

/**
 * Turns Bitstamp order events into L3 rows. The 2015 feed has no fill event: an order that trades
 * is `changed` to a smaller remaining amount, or `deleted` with amount 0 once nothing remains (each pairs
 * with a trade at the same price). So the remaining amount of every live order is tracked, and
 * decreases by `changed` and zero-amount deletes become Fill rows; a delete with an amount left is a
 * cancel (Delete), and a `changed` that raises the amount or moves the price is a Modify.
 *
 * The feed is not ordered per order: a `changed` may arrive after the same order's `deleted` (seen 2015-05-01,
 * e.g. order 65610664). Such a late change describes an order that is gone; it is counted
 * (`late_change_after_delete`) and emits nothing, instead of bringing the order back to life; and a
 * deletion may arrive twice (`duplicate_delete`), the second describing nothing, or before the order's
 * creation (seen for order 65600610): a delete of an unknown order created after the recording began is
 * held a few messages, and if its creation follows, both are dropped (`delete_before_create`).
 *
 * Orders resting before the recording started are unknown. When one is deleted with amount 0 (filled),
 * its size is unknown too — but the trade that follows at its price says it: the Fill is written when
 * that trade arrives (`unknown_order_fill_sized_by_trade`); one that no trade sizes within a few
 * messages is written as a Delete of unknown size (`unknown_order_fill_unsized`).
 */
export class BitstampOrders {
  private readonly live = new Map<number, { price: number; amount: number; side: number }>();
  private readonly deleted = new Set<number>();
  /** The first order id the data shows created: Bitstamp ids increase, so a lower unknown id was placed before. */
  private firstCreated = Infinity;
  /** Zero-amount deletes of unknown orders waiting for their trade: id, side, price, line. */
  private pending: { id: number; side: number; price: number; line: number; flags: number }[] = [];
  private static readonly PENDING_LINES = 20;
  /** Deletes of orders not yet created, waiting a few messages for the creation: id -> its row. */
  private early = new Map<number, { side: number; price: number; amount: number; line: number; ts: number; flags: number }>();
  private prevTs = -Infinity;

  constructor(
    private readonly builder: BatchBuilder,
    private readonly integrity: Integrity,
  ) {}

  /** The time to use for a row at `line`: repaired (clamped) when it goes back; NaN when the row is rejected. */
  time(ts: number, line: number, raw: string): { ts: number; flags: number } | null {
    if (ts >= this.prevTs) {
      this.prevTs = ts;
      return { ts, flags: 0 };
    }
    const detail = `time goes back ${((this.prevTs - ts) / 1e6).toFixed(0)} ms`;
    if (!this.integrity.repair('timestamp_regression', line, 'timestamp', detail, raw)) return null;
    return { ts: this.prevTs, flags: Flag.Repaired };
  }

  /** Emits the rows of one order event; `ts` is ns after the time base (event = receive time). */
  order(kind: OrderEventKind, id: number, side: number, price: number, amount: number, ts: number, flags: number, line: number): void {
    const builder = this.builder;
    const known = this.live.get(id);
    if (kind === 'created' && this.firstCreated === Infinity) this.firstCreated = id;
    if (!known && kind !== 'created' && id < this.firstCreated) flags |= Flag.PlacedBefore;
    switch (kind) {
      case 'created':
        if (this.early.delete(id)) {
          this.deleted.add(id);
          this.integrity.report.note('delete_before_create');
          return;
        }
        this.live.set(id, { price, amount, side });
        builder.push(ts, ts, 0, Action.Add, side, price, amount, id, line, flags, line);
        break;
      case 'changed':
        if (this.deleted.has(id)) {
          this.integrity.report.note('late_change_after_delete');
          return;
        }
        if (known && price === known.price && amount < known.amount) {
          builder.push(ts, ts, 0, Action.Fill, side, price, known.amount - amount, id, line, flags, line);
        } else builder.push(ts, ts, 0, Action.Modify, side, price, amount, id, line, flags, line);
        this.live.set(id, { price, amount, side });
        break;
      default:
        if (this.deleted.has(id)) {
          // The same deletion delivered twice (seen 2015-05-01, order 65596120): nothing left to remove.
          this.integrity.report.note('duplicate_delete');
          return;
        }
        if (!known && id >= this.firstCreated) {
          this.early.set(id, { side, price, amount, line, ts, flags });
          this.expirePending(ts, line);
          return;
        }
        this.live.delete(id);
        this.deleted.add(id);
        if (amount === 0 && known) builder.push(ts, ts, 0, Action.Fill, side, price, known.amount, id, line, flags, line);
        else if (amount === 0) {
          this.pending.push({ id, side, price, line, flags });
          this.expirePending(ts, line);
          return;
        } else builder.push(ts, ts, 0, Action.Delete, side, price, amount, id, line, flags, line);
    }
    this.expirePending(ts, line);
    builder.endUpdate();
  }

  /** A trade; it first sizes a waiting fill of an unknown order at its price (see the class comment). */
  trade(price: number, amount: number, ts: number, flags: number, line: number, sizesFills = true): void {
    const at = sizesFills ? this.pending.findIndex((fill) => fill.price === price) : -1;
    if (at >= 0) {
      const fill = this.pending.splice(at, 1)[0]!;
      this.builder.push(ts, ts, 0, Action.Fill, fill.side, price, amount, fill.id, fill.line, flags | fill.flags | Flag.Repaired, fill.line);
      this.integrity.report.note('unknown_order_fill_sized_by_trade');
    }
    this.builder.push(ts, ts, 0, Action.Trade, 0, price, amount, 0, line, flags, line);
    this.expirePending(ts, line);
    this.builder.endUpdate();
  }

  /** Writes waiting fills that no trade sized in time (or all of them at the end, with `line` Infinity). */
  expirePending(ts: number, line: number): void {
    for (const [id, early] of this.early) {
      if (line - early.line <= BitstampOrders.PENDING_LINES) break;
      // No creation came: the delete stands (the replay reports its unknown order).
      this.early.delete(id);
      this.deleted.add(id);
      this.builder.push(early.ts, early.ts, 0, Action.Delete, early.side, early.price, early.amount, id, early.line, early.flags, early.line);
    }
    while (this.pending.length > 0 && line - this.pending[0]!.line > BitstampOrders.PENDING_LINES) {
      const fill = this.pending.shift()!;
      this.builder.push(ts, ts, 0, Action.Delete, fill.side, fill.price, 0, fill.id, fill.line, fill.flags | Flag.Repaired, fill.line);
      this.integrity.report.note('unknown_order_fill_unsized');
    }
  }
}

/**
 * The batch builder and order tracker of one Bitstamp input, started at its first line's time (the time
 * base is that day's UTC midnight). Shared by the log and the CSV readers.
 */
export class BitstampStream {
  builder: BatchBuilder | null = null;
  orders: BitstampOrders | null = null;

  constructor(
    private readonly instruments: InstrumentTable,
    private readonly integrity: Integrity,
    private readonly batchRows: number,
  ) {}

  /** The row time of a line received at `localMs` (repaired if it goes back), or null when the line is rejected. */
  time(localMs: number, line: number, raw: string): { ts: number; flags: number } | null {
    const ns = BigInt(localMs) * BigInt(NS_PER_MS);
    if (!this.builder) {
      this.builder = new BatchBuilder(this.instruments, ns - (ns % BigInt(NS_PER_DAY)), this.batchRows);
      this.orders = new BitstampOrders(this.builder, this.integrity);
    }
    return this.orders!.time(Number(ns - this.builder.timeBaseNs), line, raw);
  }

  /** Batches ready to hand out. */
  *ready(): Generator<EventBatch> {
    for (let batch = this.builder?.take(); batch; batch = this.builder!.take()) yield batch;
  }

  /** The last batch, after writing the fills still waiting for a trade. */
  finish(): EventBatch | null {
    if (!this.builder) return null;
    this.orders!.expirePending(NaN, Infinity);
    this.builder.endUpdate();
    return this.builder.flush();
  }
}
