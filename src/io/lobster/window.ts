/**
 * The top-N window of a LOBSTER level-N file, followed from the orderbook file and the messages.
 *
 * LOBSTER level-N files only carry messages for orders inside the top N price levels. When a level
 * enters the window from deeper, or changes while outside it, no message says so. For each message the
 * window starts from the previous orderbook row, applies the message, and compares the result with the
 * orderbook row written after it. A side whose levels differ, or whose window lost a level (a book may
 * still hold levels below the window that left unseen), is restated from the row as a depth-N snapshot;
 * the book then drops whatever it holds in that range that the row does not show.
 */
export class TopWindow {
  private readonly bidPx: Float64Array;
  private readonly bidSz: Float64Array;
  private readonly askPx: Float64Array;
  private readonly askSz: Float64Array;
  private bidN = 0;
  private askN = 0;
  private bidShrank = false;
  private askShrank = false;
  /** Sides the last `reconcile` found to need a snapshot. */
  restateBids = false;
  restateAsks = false;
  /** Counts by FixKind of the differences found so far. */
  readonly fixes = new Float64Array(FIX_KIND_NAMES.length);

  constructor(readonly depth: number) {
    this.bidPx = new Float64Array(depth + 1);
    this.bidSz = new Float64Array(depth + 1);
    this.askPx = new Float64Array(depth + 1);
    this.askSz = new Float64Array(depth + 1);
  }

  /** Applies a message's effect on a level: `delta` shares at `price` on `side` (1 bid, -1 ask). */
  apply(side: number, price: number, delta: number): void {
    if (side === 1) {
      const n = applyLevel(this.bidPx, this.bidSz, this.bidN, this.depth, price, delta, true);
      if (n < this.bidN) this.bidShrank = true;
      this.bidN = n;
    } else {
      const n = applyLevel(this.askPx, this.askSz, this.askN, this.depth, price, delta, false);
      if (n < this.askN) this.askShrank = true;
      this.askN = n;
    }
  }

  /**
   * Compares the window with an orderbook row (`row[offset…]` in LOBSTER layout: ask price, ask size,
   * bid price, bid size per level), sets `restateBids`/`restateAsks`, and adopts the row.
   * Returns true when the row showed something the messages did not explain.
   */
  reconcile(row: Float64Array, offset: number): boolean {
    const depth = this.depth;
    // A side the row shows as the window holds it needs nothing more (the usual case): nothing to adopt.
    const askDiffers = !matches(row, offset, this.askPx, this.askSz, this.askN, depth) && this.compare(row, offset, this.askPx, this.askSz, this.askN);
    const bidDiffers = !matches(row, offset + 2, this.bidPx, this.bidSz, this.bidN, depth) && this.compare(row, offset + 2, this.bidPx, this.bidSz, this.bidN);
    this.restateAsks = askDiffers || (this.askShrank && this.askN < depth);
    this.restateBids = bidDiffers || (this.bidShrank && this.bidN < depth);
    if (askDiffers) this.askN = adopt(row, offset, this.askPx, this.askSz, depth);
    if (bidDiffers) this.bidN = adopt(row, offset + 2, this.bidPx, this.bidSz, depth);
    this.askShrank = this.bidShrank = false;
    return askDiffers || bidDiffers;
  }

  /** Levels of one side of the row: count, then price and size by rank (for the snapshot rows). */
  static shown(row: Float64Array, offset: number, depth: number): number {
    let n = 0;
    while (n < depth && row[offset + 4 * n + 1]! > 0) n++;
    return n;
  }

  private compare(row: Float64Array, offset: number, px: Float64Array, sz: Float64Array, n: number): boolean {
    const shown = TopWindow.shown(row, offset, this.depth);
    let differs = shown !== n;
    for (let k = 0; !differs && k < n; k++) differs = px[k] !== row[offset + 4 * k] || sz[k] !== row[offset + 4 * k + 1];
    if (!differs) return false;
    // Classify each difference for the report (rare path).
    for (let k = 0; k < shown; k++) {
      const price = row[offset + 4 * k]!;
      let j = 0;
      while (j < n && px[j] !== price) j++;
      if (j === n) this.fixes[FixKind.EnteredWindow]++;
      else if (sz[j] !== row[offset + 4 * k + 1]) this.fixes[FixKind.SizeResync]++;
    }
    const worst = shown === this.depth ? row[offset + 4 * (shown - 1)]! : NaN;
    for (let j = 0; j < n; j++) {
      if (shown === this.depth && (px === this.bidPx ? px[j]! < worst : px[j]! > worst)) break;
      let k = 0;
      while (k < shown && row[offset + 4 * k] !== px[j]) k++;
      if (k === shown) this.fixes[FixKind.LeftUnseen]++;
    }
    return true;
  }
}

/** Why a level needed the orderbook file. */
export const FixKind = {
  /** A level entered the window from deeper, where LOBSTER sends no messages. */
  EnteredWindow: 1,
  /** A level in the window had a size that the messages do not explain (changed while out of the window). */
  SizeResync: 2,
  /** A level the messages left in the window is gone (its orders left while out of the window). */
  LeftUnseen: 3,
} as const;
export const FIX_KIND_NAMES = ['', 'level_entered_window', 'level_size_resync', 'level_left_unseen'];

/** True when one side of the row shows exactly the window's `n` levels: the same prices and sizes, and nothing after them. */
function matches(row: Float64Array, offset: number, px: Float64Array, sz: Float64Array, n: number, depth: number): boolean {
  for (let k = 0; k < n; k++) if (px[k] !== row[offset + 4 * k] || sz[k] !== row[offset + 4 * k + 1] || !(sz[k]! > 0)) return false;
  return n === depth || !(row[offset + 4 * n + 1]! > 0);
}

function adopt(row: Float64Array, offset: number, px: Float64Array, sz: Float64Array, depth: number): number {
  const shown = TopWindow.shown(row, offset, depth);
  for (let k = 0; k < shown; k++) {
    px[k] = row[offset + 4 * k]!;
    sz[k] = row[offset + 4 * k + 1]!;
  }
  return shown;
}

// Bids are kept best (highest) first, asks best (lowest) first; at most `depth` levels.
function applyLevel(px: Float64Array, sz: Float64Array, n: number, depth: number, price: number, delta: number, bid: boolean): number {
  let j = 0;
  while (j < n && (bid ? px[j]! > price : px[j]! < price)) j++;
  // The window holds a few levels: elements are moved one by one (cheaper than copyWithin's call at this size).
  if (j < n && px[j] === price) {
    sz[j] += delta;
    if (sz[j]! > 0) return n;
    for (let k = j + 1; k < n; k++) {
      px[k - 1] = px[k]!;
      sz[k - 1] = sz[k]!;
    }
    return n - 1;
  }
  if (delta <= 0 || j >= depth) return n;
  // The arrays have room for depth + 1 levels: a level pushed past the depth falls off.
  for (let k = n; k > j; k--) {
    px[k] = px[k - 1]!;
    sz[k] = sz[k - 1]!;
  }
  px[j] = price;
  sz[j] = delta;
  return n < depth ? n + 1 : depth;
}
