import { BatchBuilder, type EventBatch } from '../../core/batch.js';
import type { EventSource, OpenOptions } from '../../core/source.js';
import { ReaderBase } from '../reader-base.js';
import { DecimalsSeen, HEAD_SCAN_BYTES, MAX_DECIMALS, type SymbolDecimals } from './decimals.js';
import { BinanceMessages, type DepthDiff } from './depth-sync.js';
import { TDepthFile, tdepthFiles, type TDepthFiles, type TDepthGroup } from './tdepth-csv.js';
import { tdepthColumns } from './tdepth-header.js';

/**
 * Binance's historical futures order book (`T_DEPTH`, data.binance.vision / the histDataLink download): a
 * `…snap…csv` file of full snapshots and a `…update…csv` file of diffs, read together from either path
 * (the other is found beside it). Rows `symbol,timestamp,first_update_id,last_update_id,side,update_type,
 * price,qty,pu`; the rows of one snapshot or one update share their `last_update_id` (TDepthFile).
 *
 * The two files are merged by update id: a snapshot with last_update_id L comes before the first update
 * whose last_update_id is L or more. Sync follows the futures websocket rules (BinanceMessages): updates
 * before the first snapshot wait for it (those it covers are checked against it); after a snapshot, updates
 * with u < L are covered, the first applied one has first_update_id <= L <= last_update_id, and each next
 * one has `pu` = the previous one's last_update_id. A broken chain is a `sequence_gap` naming the update
 * file, line and field (`pu`, or `first_update_id` for the first update after a snapshot); the book then
 * waits for the next snapshot. Each snapshot is a full SnapshotBegin … SnapshotEnd, each update one atomic
 * update of LevelSet/LevelDelete (qty 0) rows, `seq` = last_update_id, `tsEvent` = timestamp (the
 * transaction time, ms), no receive time (`tsRecv` NaN), `sourceRow` = the row's line in its own file.
 * Units per symbol: the fewest decimals holding every price and qty in the first HEAD_SCAN_BYTES of each file.
 */
export class BinanceTDepthSource extends ReaderBase implements EventSource {
  readonly granularity = 'L2' as const;
  readonly files: TDepthFiles;
  private builder: BatchBuilder | null = null;
  private baseSeconds = 0;
  private decimals = new DecimalsSeen();
  /** The file of the group being applied: gaps are reported in it. */
  private currentFile: string;
  /** Per symbol, the last_update_id of the last update read: the chain of files without `pu`. */
  private readonly lastRead = new Map<string, number>();
  private readonly messages: BinanceMessages;

  constructor(path: string, options: OpenOptions = {}) {
    super(path, 'binance-tdepth', options);
    this.files = tdepthFiles(path);
    this.currentFile = this.files.update ?? path;
    const source = this;
    this.messages = new BinanceMessages({
      get path() {
        return source.currentFile;
      },
      instruments: this.instruments,
      integrity: this.integrity,
      builder: () => this.builder!,
      baseSeconds: () => this.baseSeconds,
      decimalsOf: (symbol) => this.decimals.get(symbol),
      gapFields: { chain: 'pu', span: 'first_update_id' },
    });
  }

  async *batches(): AsyncGenerator<EventBatch> {
    const report = this.integrity.report;
    if (!this.files.snap) report.note('no_snap_file');
    if (!this.files.update) report.note('no_update_file');
    for (const file of [this.files.snap, this.files.update]) if (file) await this.scanDecimals(file);
    const decimalsOf = (symbol: string): SymbolDecimals => this.decimals.get(symbol) ?? { price: MAX_DECIMALS, size: MAX_DECIMALS };
    const snaps = this.files.snap ? new TDepthFile(this.files.snap, this.integrity, decimalsOf).groups() : none();
    const updates = this.files.update ? new TDepthFile(this.files.update, this.integrity, decimalsOf).groups() : none();
    let snap = await snaps.next();
    let update = await updates.next();
    const firstMs = Math.min(snap.done ? Infinity : snap.value.timeMs, update.done ? Infinity : update.value.timeMs);
    const firstSeconds = Number.isFinite(firstMs) ? Math.floor(firstMs / 1000) : 0;
    this.baseSeconds = firstSeconds - (firstSeconds % 86_400);
    this.builder = new BatchBuilder(this.instruments, BigInt(this.baseSeconds) * 1_000_000_000n, this.batchRows);
    while (!snap.done || !update.done) {
      // A snapshot goes before the first update that ends at or beyond its id.
      if (!snap.done && (update.done || snap.value.last <= update.value.last)) {
        this.group(snap.value);
        snap = await snaps.next();
      } else if (!update.done) {
        this.group(update.value);
        update = await updates.next();
      }
      for (let batch = this.builder.take(); batch; batch = this.builder.take()) yield batch;
    }
    this.messages.finish();
    const last = this.builder.flush();
    if (last) yield last;
  }

  /** Applies one snapshot or update; a damaged one (a row was rejected) cannot be applied. */
  private group(group: TDepthGroup): void {
    this.currentFile = group.file;
    const report = this.integrity.report;
    const book = this.messages.book(group.symbol, true, /USD_/.test(group.symbol));
    const tsNs = this.messages.msOffset(group.timeMs);
    // The readable rows of a group with a rejected row are not applied either: counted here.
    if (group.damaged) report.note('rows_of_incomplete_groups_not_applied', (group.bids.length + group.asks.length) / 2);
    if (group.type === 'snap') {
      if (group.damaged) {
        report.note('snapshots_incomplete_not_applied');
        return;
      }
      this.messages.applySnapshot(book, group.last, group.bids, group.asks, tsNs, NaN, group.firstLine, { bids: group.bidLines, asks: group.askLines });
      return;
    }
    let previous = group.previous;
    if (Number.isNaN(previous)) {
      // No pu in the file: the chain cannot be checked, the update is taken to follow the one read before.
      report.note('updates_without_pu');
      previous = this.lastRead.get(group.symbol) ?? NaN;
    }
    this.lastRead.set(group.symbol, group.last);
    const diff: DepthDiff = { first: group.first, last: group.last, previous, tsNs, recvNs: NaN, bids: group.bids, bidCount: group.bids.length / 2, asks: group.asks, askCount: group.asks.length / 2, line: group.firstLine, lines: { bids: group.bidLines, asks: group.askLines } };
    if (group.damaged) this.messages.lose(book, diff);
    else this.messages.offer(book, diff);
  }

  /** Notes the decimals of the prices and quantities in the first HEAD_SCAN_BYTES of a T_DEPTH file. */
  private async scanDecimals(file: string): Promise<void> {
    let columns: ReturnType<typeof tdepthColumns> = null;
    this.decimals.budget = HEAD_SCAN_BYTES;
    await this.decimals.scan(file, (text, seen) => {
      if (!columns) {
        columns = tdepthColumns(text);
        return;
      }
      const fields = text.split(',');
      const symbol = fields[columns.symbol];
      if (symbol) seen.see(symbol, fields[columns.price], fields[columns.qty]);
    });
  }
}

async function* none(): AsyncGenerator<TDepthGroup> {}
