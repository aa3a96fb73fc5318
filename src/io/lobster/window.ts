import { Ladder } from '../../core/ladder.js';

/**
 * What the messages of a LOBSTER level-N file say about the book, kept as price levels, and reconciled
 * with the orderbook file after every message.
 *
 * LOBSTER level-N files only carry messages for orders inside the top N price levels. When a level
 * enters the window from deeper, or orders leave a level while it is outside the window, no message
 * says so. After each message the window compares its top levels with the orderbook row written after
 * that message: every difference becomes a correction (a level set to the row's size, or a level
 * removed), which the reader emits as a synthetic L2 event and applies here too. After the corrections
 * the window's top N equals the row. Levels deeper than the row shows are left as the messages put
 * them until they come back into view.
 */
export class TopWindow {
  private readonly bids = new Ladder(1);
  private readonly asks = new Ladder(-1);
  /** Corrections found by the last `reconcile`: side (1 bid, -1 ask), price, size (0 = remove level), kind. */
  fixSide = new Int8Array(64);
  fixPx = new Float64Array(64);
  fixSz = new Float64Array(64);
  fixKind = new Uint8Array(64);
  fixN = 0;
  private stale = new Int32Array(64);

  constructor(readonly depth: number) {}

  /** Applies a message's effect on a level: `delta` shares at `price` on `side` (1 bid, -1 ask). */
  apply(side: number, price: number, delta: number): void {
    const ladder = side === 1 ? this.bids : this.asks;
    const slot = delta > 0 ? ladder.ensure(price) : ladder.find(price);
    if (slot < 0) return;
    ladder.size[slot] += delta;
    if (!(ladder.size[slot]! > 0)) ladder.remove(slot);
  }

  /**
   * Compares the window with an orderbook row (`row[offset…]` in LOBSTER layout: ask price, ask size,
   * bid price, bid size per level), records and applies the corrections. Returns how many there were.
   */
  reconcile(row: Float64Array, offset: number): number {
    this.fixN = 0;
    this.reconcileSide(row, offset, this.asks);
    this.reconcileSide(row, offset + 2, this.bids);
    return this.fixN;
  }

  private reconcileSide(row: Float64Array, offset: number, ladder: Ladder): void {
    const depth = this.depth;
    const side = ladder.side;
    let shown = 0;
    while (shown < depth && row[offset + 4 * shown + 1]! > 0) shown++;
    // Fast path: the top levels already agree level by level (the common case).
    let agree = ladder.depth === shown || (shown === depth && ladder.depth > depth);
    for (let k = 0; agree && k < shown; k++) {
      const slot = ladder.slotAt(k);
      agree = ladder.price[slot] === row[offset + 4 * k] && ladder.size[slot] === row[offset + 4 * k + 1];
    }
    if (agree) return;
    // Levels the row shows that the window lacks or holds at another size.
    for (let k = 0; k < shown; k++) {
      const price = row[offset + 4 * k]!;
      const size = row[offset + 4 * k + 1]!;
      const slot = ladder.find(price);
      if (slot >= 0 && ladder.size[slot] === size) continue;
      this.fix(side, price, size, slot >= 0 ? FixKind.SizeResync : FixKind.EnteredWindow);
      ladder.size[slot >= 0 ? slot : ladder.ensure(price)] = size;
    }
    // Window levels within the row's range that the row does not show: they left unseen.
    const worst = shown === depth ? row[offset + 4 * (depth - 1)]! : NaN;
    let staleN = 0;
    for (let rank = 0; rank < ladder.depth; rank++) {
      const slot = ladder.slotAt(rank);
      const price = ladder.price[slot]!;
      if (shown === depth && (side === 1 ? price < worst : price > worst)) break;
      let k = 0;
      while (k < shown && row[offset + 4 * k] !== price) k++;
      if (k === shown) {
        if (staleN === this.stale.length) this.stale = grown(this.stale, Int32Array);
        this.stale[staleN++] = slot;
      }
    }
    for (let j = 0; j < staleN; j++) {
      const slot = this.stale[j]!;
      this.fix(side, ladder.price[slot]!, 0, FixKind.LeftUnseen);
      ladder.remove(slot);
    }
  }

  private fix(side: number, price: number, size: number, kind: number): void {
    if (this.fixN === this.fixPx.length) {
      this.fixSide = grown(this.fixSide, Int8Array);
      this.fixPx = grown(this.fixPx, Float64Array);
      this.fixSz = grown(this.fixSz, Float64Array);
      this.fixKind = grown(this.fixKind, Uint8Array);
    }
    const i = this.fixN++;
    this.fixSide[i] = side;
    this.fixPx[i] = price;
    this.fixSz[i] = size;
    this.fixKind[i] = kind;
  }
}

/** Why a correction was needed. */
export const FixKind = {
  /** A level entered the window from deeper, where LOBSTER sends no messages. */
  EnteredWindow: 1,
  /** A level in the window had a size that the messages do not explain (changed while out of the window). */
  SizeResync: 2,
  /** A level the messages left in the window is gone (its orders left while out of the window). */
  LeftUnseen: 3,
} as const;
export const FIX_KIND_NAMES = ['', 'level_entered_window', 'level_size_resync', 'level_left_unseen'];

function grown<T extends Int8Array | Uint8Array | Int32Array | Float64Array>(old: T, make: new (n: number) => T): T {
  const next = new make(old.length * 2);
  next.set(old);
  return next;
}
