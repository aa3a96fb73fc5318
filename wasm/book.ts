// The books of src/book/ (L2Book, L3Book; LadderBook drives this module): both sides' price levels in
// priority order, and an L3 book's orders with their FIFO queues and anonymous liquidity, snapshots and
// truncation. AssemblyScript, compiled by scripts/build-wasm.mjs into dist/src/wasm/book.wasm. The rules
// are explained in src/book/l3-book.ts and ladder-book.ts; this file says how they are kept.
//
// Why: a JavaScript book checks each typed array again at every access (its map, length and data
// pointer), and its methods were not all inlined into the replay's loop; here an access is a load. Each
// call applies one event to one book (its handle comes first), or a run of a batch's rows (`applyLevels`,
// `applyOrders`), and says how it went (an `Applied` code, src/book/ladder-book.ts); after it the book's
// state block holds the best levels and the counters that JavaScript reads without a call.
//
// Memory: one instance holds every book of a process (docs/ARCHITECTURE.md says why), on a heap that
// frees (the `minimal` runtime's TLSF; nothing managed is allocated, so its collector never runs). The
// scratch and the order-life record are fixed; a book's arrays double on the heap when full. A call that
// grew the memory adds GREW to its result: the caller's views of the old buffer are empty afterwards.

/** Added to a call's result when it grew the memory. */
export const GREW: i32 = 1 << 16;

// Outcomes (src/book/ladder-book.ts: Applied).
const OK: i32 = 0;
const UNKNOWN_ORDER: i32 = 1;
const DUPLICATE_ORDER: i32 = 2;
const EXCEEDS_SIZE: i32 = 3;
const BAD_EVENT: i32 = 4;
const TOOK_ANONYMOUS: i32 = 5;
const SIZE_MISMATCH: i32 = 6;
const BEYOND_DISPLAYED: i32 = 7;

// How an order left the book (the life record's `end`; l3-book.ts: OrderEnd).
const FILLED: f64 = 0;
const CANCELLED: f64 = 1;
const DROPPED: f64 = 2;

/** Called with the life record filled in when an order of `book` leaves it (when `listen(book, 1)` asked for it). */
@external("book", "orderEnded")
declare function orderEnded(book: usize): void;

/** Values a book's state block holds (f64 each); see `publish`. */
export const STATE_VALUES: i32 = 12;
export const BID_PRICE: i32 = 0;
export const BID_SIZE: i32 = 1;
export const ASK_PRICE: i32 = 2;
export const ASK_SIZE: i32 = 3;
export const BID_CHANGES: i32 = 4;
export const ASK_CHANGES: i32 = 5;
export const ORDER_COUNT: i32 = 6;
export const DROPPED_ORDERS: i32 = 7;
export const SNAPSHOT_CHANGES: i32 = 8;
export const SNAPSHOT_REMOVED_LEVELS: i32 = 9;
export const BID_DEPTH: i32 = 10;
export const ASK_DEPTH: i32 = 11;

/** Values (f64) the scratch holds: `copyBest` writes prices then sizes, `ordersAt` ids. */
export const SCRATCH_VALUES: i32 = 2048;
const scratch = memory.data(SCRATCH_VALUES * 8);

/** The life of the order that just left: id, side, price, addedNs, endedNs, filled, remaining, end. */
const life = memory.data(8 * 8);

/**
 * What the last `applyOrders` did, in row order: the number of records, whether the book was in a
 * snapshot when it stopped, then RECORD_VALUES f64 a record. A complete update: its last row, the best bid
 * price and size, the best ask price and size (as `publish` writes them), the book's snapshot changes. A
 * finding: -1 - its row, its outcome. At most RECORDS.
 */
export const RECORDS: i32 = 256;
export const RECORD_VALUES: i32 = 6;
const RECORDS_AT: i32 = 2;
const records = memory.data((RECORDS_AT + RECORDS * RECORD_VALUES) * 8);

/** Moves of up to this many entries are done element by element; longer ones by memory.copy. */
const SHORT_MOVE: i32 = 16;
/** Entries looked at one by one from a block's best end before bisecting: most changes are near the best. */
const NEAR: i32 = 8;
/** log2 of the entries a block of a side's order holds (see Side). */
const SHIFT: i32 = 7;
const BLOCK: i32 = 1 << SHIFT;
const HALF: i32 = BLOCK >> 1;

@inline function f64At(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function setF64(base: usize, i: i32, value: f64): void { store<f64>(base + (<usize>i << 3), value); }
@inline function i32At(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline function setI32(base: usize, i: i32, value: i32): void { store<i32>(base + (<usize>i << 2), value); }

/** A fresh array of `count` elements of `bytes` each. */
@inline function allocate(count: i32, bytes: i32): usize { return heap.alloc(<usize>count * bytes); }
/** `array` (0: none yet) grown to `capacity` elements of `bytes` each, its elements kept (perhaps moved). */
@inline function grown(array: usize, capacity: i32, bytes: i32): usize {
  return array == 0 ? heap.alloc(<usize>capacity * bytes) : heap.realloc(array, <usize>capacity * bytes);
}

/**
 * An open-addressing map from integer-valued doubles (order ids, prices) to non-negative slots: linear
 * probing, backward-shift deletion (no tombstones), at most half full (src/core/number-map.ts).
 */
@unmanaged class NumberMap {
  keys: usize = 0;
  values: usize = 0;
  used: usize = 0;
  mask: i32 = 0;
  size: i32 = 0;
}

function newMap(capacity: i32): NumberMap {
  const map = new NumberMap();
  map.keys = allocate(capacity, 8);
  map.values = allocate(capacity, 4);
  map.used = allocate(capacity, 1);
  memory.fill(map.used, 0, <usize>capacity);
  map.mask = capacity - 1;
  return map;
}

/**
 * Mixes a key into 32 bits. Within an i64's range, its integer value's two halves (as
 * src/core/number-map.ts does; 0 and -0 are one key): MurmurHash3's 64-bit finalizer on every key made
 * AMZN ×18's replay 5% slower (11 alternated runs, twice). Beyond it (a u64 order id past 2^63, where
 * the conversion saturates and every such id would land in one slot), the finalizer on its bits.
 */
@inline function hash(key: f64): i32 {
  if (key < 9.2e18 && key > -9.2e18) {
    const bits = <u64>(<i64>key);
    let h = (<u32>bits ^ (<u32>(bits >>> 32) * 0x27d4eb2d)) * 0x9e3779b1;
    h ^= h >>> 15;
    return <i32>h;
  }
  let x = reinterpret<u64>(key);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccd;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53;
  x ^= x >> 33;
  return <i32>x;
}

/** Where `key` is in the map, or -1. */
function mapFind(map: NumberMap, key: f64): i32 {
  const mask = map.mask;
  let i = hash(key) & mask;
  while (load<u8>(map.used + i)) {
    if (f64At(map.keys, i) == key) return i;
    i = (i + 1) & mask;
  }
  return -1;
}

function mapGet(map: NumberMap, key: f64): i32 {
  const at = mapFind(map, key);
  return at < 0 ? -1 : i32At(map.values, at);
}

/** The value of `key`; when it has none, stores `value` for it and returns -1. */
function mapGetOrInsert(map: NumberMap, key: f64, value: i32): i32 {
  if ((map.size + 1) * 2 > map.mask + 1) rehash(map, (map.mask + 1) * 2);
  const mask = map.mask;
  let i = hash(key) & mask;
  while (load<u8>(map.used + i)) {
    if (f64At(map.keys, i) == key) return i32At(map.values, i);
    i = (i + 1) & mask;
  }
  store<u8>(map.used + i, 1);
  setF64(map.keys, i, key);
  setI32(map.values, i, value);
  map.size++;
  return -1;
}

function mapSet(map: NumberMap, key: f64, value: i32): void {
  if ((map.size + 1) * 2 > map.mask + 1) rehash(map, (map.mask + 1) * 2);
  const mask = map.mask;
  let i = hash(key) & mask;
  while (load<u8>(map.used + i)) {
    if (f64At(map.keys, i) == key) {
      setI32(map.values, i, value);
      return;
    }
    i = (i + 1) & mask;
  }
  store<u8>(map.used + i, 1);
  setF64(map.keys, i, key);
  setI32(map.values, i, value);
  map.size++;
}

function mapDelete(map: NumberMap, key: f64): void {
  const at = mapFind(map, key);
  if (at < 0) return;
  const keys = map.keys;
  const values = map.values;
  const used = map.used;
  const mask = map.mask;
  let gap = at;
  let j = (at + 1) & mask;
  while (load<u8>(used + j)) {
    const home = hash(f64At(keys, j)) & mask;
    if ((j > gap && (home <= gap || home > j)) || (j < gap && home <= gap && home > j)) {
      setF64(keys, gap, f64At(keys, j));
      setI32(values, gap, i32At(values, j));
      gap = j;
    }
    j = (j + 1) & mask;
  }
  store<u8>(used + gap, 0);
  map.size--;
}

function mapClear(map: NumberMap): void {
  memory.fill(map.used, 0, <usize>(map.mask + 1));
  map.size = 0;
}

function rehash(map: NumberMap, capacity: i32): void {
  const keys = map.keys;
  const values = map.values;
  const used = map.used;
  const old = map.mask + 1;
  map.keys = allocate(capacity, 8);
  map.values = allocate(capacity, 4);
  map.used = allocate(capacity, 1);
  memory.fill(map.used, 0, <usize>capacity);
  map.mask = capacity - 1;
  map.size = 0;
  for (let i = 0; i < old; i++) if (load<u8>(used + i)) mapSet(map, f64At(keys, i), i32At(values, i));
  heap.free(keys);
  heap.free(values);
  heap.free(used);
}

function freeMap(map: NumberMap): void {
  heap.free(map.keys);
  heap.free(map.values);
  heap.free(map.used);
  heap.free(changetype<usize>(map));
}

/**
 * One side of the book: level data in slot-indexed arrays, and the level slots in priority order, keyed
 * by price for bids and negated price for asks, the largest key best.
 *
 * The order is kept in blocks of at most BLOCK entries, each sorted with its largest key last, the blocks
 * themselves in key order: a change moves at most one block's entries, where one sorted array would move
 * every entry better than it (the Binance USD-M capture's diffs add levels far from the touch: 5,170 a
 * side by its end). Two neighbouring blocks always hold more than HALF entries between them (a removal
 * that breaks this merges them), so there are at most 2n / HALF + 1 blocks for n entries. Most changes
 * are at the touch: in the last block, whose last entry is the best level.
 */
@unmanaged class Side {
  sign: f64 = 1;
  price: usize = 0;
  size: usize = 0;
  anonymous: usize = 0;
  orders: usize = 0;
  head: usize = 0;
  tail: usize = 0;
  stamp: usize = 0;
  capacity: i32 = 0;
  nextSlot: i32 = 0;
  free: usize = 0;
  freeCount: i32 = 0;
  count: i32 = 0;
  best: i32 = -1;
  changes: i32 = 0;
  bySlotPrice: NumberMap = changetype<NumberMap>(0);
  /** Block b's entries are at [b × BLOCK, b × BLOCK + lengths[b]) of `keys` and `slots`, ascending by key. */
  keys: usize = 0;
  slots: usize = 0;
  lengths: usize = 0;
  /** The blocks in key order (position 0 holds the smallest keys); each one non-empty unless it is the only one. */
  order: usize = 0;
  blockCapacity: i32 = 0;
  blocks: i32 = 1;
  /** Blocks never used yet start at `unused`; blocks given up are kept in `spare`. */
  unused: i32 = 1;
  spare: usize = 0;
  spareCount: i32 = 0;
  /** Counts the changes of the order; `slotAt` continues a walk it made while this stays the same. */
  shape: i32 = 0;
  cursorShape: i32 = -1;
  cursorPosition: i32 = 0;
  /** Rank (0 = best) of the best entry of the block at `cursorPosition`. */
  cursorRank: i32 = 0;
}

const LEVELS: i32 = 256;
const BLOCKS: i32 = 4;

function newSide(sign: f64): Side {
  const side = new Side();
  side.sign = sign;
  sizeLevels(side, LEVELS);
  side.bySlotPrice = newMap(2 * LEVELS);
  side.blockCapacity = BLOCKS;
  side.keys = allocate(BLOCKS * BLOCK, 8);
  side.slots = allocate(BLOCKS * BLOCK, 4);
  side.lengths = allocate(BLOCKS, 4);
  memory.fill(side.lengths, 0, <usize>BLOCKS * 4);
  side.order = allocate(BLOCKS, 4);
  setI32(side.order, 0, 0);
  side.spare = allocate(BLOCKS, 4);
  return side;
}

/** Slot of the level at `price`, or -1. */
function find(side: Side, price: f64): i32 {
  const best = side.best;
  if (best >= 0 && f64At(side.price, best) == price) return best;
  return mapGet(side.bySlotPrice, price);
}

/** Slot of the level at `price`, an empty level created when there is none. */
function ensure(side: Side, price: f64): i32 {
  const best = side.best;
  if (best >= 0 && f64At(side.price, best) == price) return best;
  const slot = side.freeCount > 0 ? i32At(side.free, side.freeCount - 1) : side.nextSlot;
  const existing = mapGetOrInsert(side.bySlotPrice, price, slot);
  if (existing >= 0) return existing;
  if (side.freeCount > 0) side.freeCount--;
  else side.nextSlot++;
  if (slot >= side.capacity) sizeLevels(side, side.capacity * 2);
  setF64(side.price, slot, price);
  setF64(side.size, slot, 0);
  setF64(side.anonymous, slot, 0);
  setI32(side.orders, slot, 0);
  setI32(side.head, slot, -1);
  setI32(side.tail, slot, -1);
  setI32(side.stamp, slot, 0);
  insertKey(side, price * side.sign, slot);
  side.best = bestOf(side);
  side.changes++;
  return slot;
}

/** Room for `capacity` levels in the side's level arrays (made, or grown with their levels kept). */
function sizeLevels(side: Side, capacity: i32): void {
  side.price = grown(side.price, capacity, 8);
  side.size = grown(side.size, capacity, 8);
  side.anonymous = grown(side.anonymous, capacity, 8);
  side.orders = grown(side.orders, capacity, 4);
  side.head = grown(side.head, capacity, 4);
  side.tail = grown(side.tail, capacity, 4);
  side.stamp = grown(side.stamp, capacity, 4);
  side.free = grown(side.free, capacity, 4);
  side.capacity = capacity;
}

/** The slot of the best level (the largest key), or -1 when the side is empty. */
@inline function bestOf(side: Side): i32 {
  const last = i32At(side.order, side.blocks - 1);
  const n = i32At(side.lengths, last);
  return n > 0 ? i32At(side.slots, (last << SHIFT) + n - 1) : -1;
}

/** Adds `slot` under `key` (not already present). */
function insertKey(side: Side, key: f64, slot: i32): void {
  let position = positionOf(side, key);
  if (i32At(side.lengths, i32At(side.order, position)) == BLOCK) {
    split(side, position);
    if (key >= f64At(side.keys, i32At(side.order, position + 1) << SHIFT)) position++;
  }
  const block = i32At(side.order, position);
  const base = block << SHIFT;
  const n = i32At(side.lengths, block);
  const keys = side.keys;
  const slots = side.slots;
  const end = base + n;
  let at = end;
  const stop = max(base, at - NEAR);
  while (at > stop && f64At(keys, at - 1) > key) at--;
  if (at == stop && stop > base && f64At(keys, at - 1) > key) at = lowerBound(keys, base, at, key);
  const moved = end - at;
  if (moved > SHORT_MOVE) {
    memory.copy(keys + (<usize>(at + 1) << 3), keys + (<usize>at << 3), <usize>moved << 3);
    memory.copy(slots + (<usize>(at + 1) << 2), slots + (<usize>at << 2), <usize>moved << 2);
  } else {
    for (let i = end; i > at; i--) {
      setF64(keys, i, f64At(keys, i - 1));
      setI32(slots, i, i32At(slots, i - 1));
    }
  }
  setF64(keys, at, key);
  setI32(slots, at, slot);
  setI32(side.lengths, block, n + 1);
  side.count++;
  side.shape++;
}

/** Removes the entry under `key` (present). */
function removeKey(side: Side, key: f64): void {
  const position = positionOf(side, key);
  const block = i32At(side.order, position);
  const base = block << SHIFT;
  const n = i32At(side.lengths, block);
  const keys = side.keys;
  const slots = side.slots;
  const end = base + n;
  let at = end - 1;
  const stop = max(base, end - NEAR);
  while (at >= stop && f64At(keys, at) != key) at--;
  if (at < stop) at = lowerBound(keys, base, stop, key);
  const moved = end - at - 1;
  if (moved > SHORT_MOVE) {
    memory.copy(keys + (<usize>at << 3), keys + (<usize>(at + 1) << 3), <usize>moved << 3);
    memory.copy(slots + (<usize>at << 2), slots + (<usize>(at + 1) << 2), <usize>moved << 2);
  } else {
    for (let i = at + 1; i < end; i++) {
      setF64(keys, i - 1, f64At(keys, i));
      setI32(slots, i - 1, i32At(slots, i));
    }
  }
  setI32(side.lengths, block, n - 1);
  side.count--;
  side.shape++;
  if (n - 1 <= HALF && side.blocks > 1) mend(side, position);
}

/** The position of the block `key` belongs in: the last whose smallest key is at most `key`, else 0. */
function positionOf(side: Side, key: f64): i32 {
  const top = side.blocks - 1;
  if (top == 0 || f64At(side.keys, i32At(side.order, top) << SHIFT) <= key) return top;
  let lo = 0;
  let hi = top - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (f64At(side.keys, i32At(side.order, mid) << SHIFT) <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Moves the upper half of the (full) block at `position` into a new block just after it. */
function split(side: Side, position: i32): void {
  const added = newBlock(side);
  const block = i32At(side.order, position);
  const from = (block << SHIFT) + HALF;
  memory.copy(side.keys + (<usize>(added << SHIFT) << 3), side.keys + (<usize>from << 3), <usize>(BLOCK - HALF) << 3);
  memory.copy(side.slots + (<usize>(added << SHIFT) << 2), side.slots + (<usize>from << 2), <usize>(BLOCK - HALF) << 2);
  setI32(side.lengths, block, HALF);
  setI32(side.lengths, added, BLOCK - HALF);
  const order = side.order;
  memory.copy(order + (<usize>(position + 2) << 2), order + (<usize>(position + 1) << 2), <usize>(side.blocks - position - 1) << 2);
  setI32(order, position + 1, added);
  side.blocks++;
}

/** After a removal from the block at `position`: drops it when empty, else merges it with a neighbour when the two fit in half a block. */
function mend(side: Side, position: i32): void {
  const order = side.order;
  const lengths = side.lengths;
  const n = i32At(lengths, i32At(order, position));
  if (n == 0) {
    dropBlock(side, position);
    return;
  }
  const before = position > 0 ? i32At(lengths, i32At(order, position - 1)) : BLOCK;
  const after = position < side.blocks - 1 ? i32At(lengths, i32At(order, position + 1)) : BLOCK;
  if (min(before, after) + n > HALF) return;
  const first = before <= after ? position - 1 : position;
  const into = i32At(order, first);
  const from = i32At(order, first + 1);
  const intoLength = i32At(lengths, into);
  const fromLength = i32At(lengths, from);
  const at = (into << SHIFT) + intoLength;
  memory.copy(side.keys + (<usize>at << 3), side.keys + (<usize>(from << SHIFT) << 3), <usize>fromLength << 3);
  memory.copy(side.slots + (<usize>at << 2), side.slots + (<usize>(from << SHIFT) << 2), <usize>fromLength << 2);
  setI32(lengths, into, intoLength + fromLength);
  setI32(lengths, from, 0);
  dropBlock(side, first + 1);
}

/** Takes the (empty) block at `position` out of the order. */
function dropBlock(side: Side, position: i32): void {
  const order = side.order;
  const block = i32At(order, position);
  memory.copy(order + (<usize>position << 2), order + (<usize>(position + 1) << 2), <usize>(side.blocks - position - 1) << 2);
  side.blocks--;
  setI32(side.spare, side.spareCount++, block);
}

function newBlock(side: Side): i32 {
  if (side.spareCount > 0) return i32At(side.spare, --side.spareCount);
  if (side.unused == side.blockCapacity) {
    const capacity = side.blockCapacity * 2;
    side.keys = grown(side.keys, capacity * BLOCK, 8);
    side.slots = grown(side.slots, capacity * BLOCK, 4);
    side.lengths = grown(side.lengths, capacity, 4);
    side.order = grown(side.order, capacity, 4);
    side.spare = grown(side.spare, capacity, 4);
    side.blockCapacity = capacity;
  }
  const block = side.unused++;
  setI32(side.lengths, block, 0);
  return block;
}

/** First index in [from, to) whose key is >= `key`. */
function lowerBound(keys: usize, from: i32, to: i32, key: f64): i32 {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f64At(keys, mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Slot of the level at `rank` (0 = best), or -1 beyond the depth. A walk from the best, rank by rank, costs one step a rank. */
function slotAt(side: Side, rank: i32): i32 {
  if (rank >= side.count || rank < 0) return -1;
  const order = side.order;
  const lengths = side.lengths;
  // The worst level (a book cut to a depth drops it one by one) is the first of the first block.
  if (rank == side.count - 1) return i32At(side.slots, i32At(order, 0) << SHIFT);
  let position = side.blocks - 1;
  let rest = rank;
  if (side.cursorShape == side.shape && rank >= side.cursorRank) {
    position = side.cursorPosition;
    rest = rank - side.cursorRank;
  }
  let n = i32At(lengths, i32At(order, position));
  while (rest >= n) {
    rest -= n;
    position--;
    n = i32At(lengths, i32At(order, position));
  }
  side.cursorShape = side.shape;
  side.cursorPosition = position;
  side.cursorRank = rank - rest;
  return i32At(side.slots, (i32At(order, position) << SHIFT) + n - 1 - rest);
}

/** Removes the level in `slot` (its orders are the caller's business). */
function removeSlot(side: Side, slot: i32): void {
  mapDelete(side.bySlotPrice, f64At(side.price, slot));
  removeKey(side, f64At(side.price, slot) * side.sign);
  if (slot == side.best) side.best = bestOf(side);
  side.changes++;
  setI32(side.free, side.freeCount++, slot);
}

function clearSide(side: Side): void {
  mapClear(side.bySlotPrice);
  side.count = 0;
  side.blocks = 1;
  setI32(side.order, 0, 0);
  memory.fill(side.lengths, 0, <usize>side.blockCapacity * 4);
  side.unused = 1;
  side.spareCount = 0;
  side.shape++;
  side.best = -1;
  side.changes++;
  side.freeCount = 0;
  side.nextSlot = 0;
}

/** A book: its two sides, its orders in slot-indexed arrays with the index from order id to slot, its counts. */
@unmanaged class Book {
  bids: Side = changetype<Side>(0);
  asks: Side = changetype<Side>(0);
  orderCapacity: i32 = 0;
  orderId: usize = 0;
  orderPrice: usize = 0;
  orderSize: usize = 0;
  orderFilled: usize = 0;
  orderAdded: usize = 0;
  orderSide: usize = 0;
  orderLevel: usize = 0;
  orderPrev: usize = 0;
  orderNext: usize = 0;
  freeOrders: usize = 0;
  freeOrderCount: i32 = 0;
  nextOrder: i32 = 0;
  index: NumberMap = changetype<NumberMap>(0);
  dropped: f64 = 0;
  followVenue: bool = false;
  listening: bool = false;
  // Snapshots: the generation that stamps the levels a snapshot lists, its side and depth.
  generation: i32 = 0;
  snapshotSide: i32 = 0;
  snapshotDepth: i32 = 0;
  snapshotChanges: f64 = 0;
  snapshotRemovedLevels: f64 = 0;
  /** The state block: STATE_VALUES f64. */
  state: usize = 0;
}

/** The book the current call works on (every export sets it from its first argument). */
let b = changetype<Book>(0);
/** Time of the event being applied, for the life record. */
let now: f64 = NaN;
/** The memory's size after the last call. */
let pages = memory.size();

@inline function sideOf(side: i32): Side { return side == 1 ? b.bids : b.asks; }

/** A new empty book, with room for `capacity` orders before its arrays first double; returns its handle. */
export function newBook(capacity: i32): usize {
  b = new Book();
  b.bids = newSide(1);
  b.asks = newSide(-1);
  const orders = max(capacity, 1);
  sizeOrders(orders);
  let slots = 16;
  while (slots < 2 * orders) slots <<= 1;
  b.index = newMap(slots);
  b.state = allocate(STATE_VALUES, 8);
  publish();
  return changetype<usize>(b);
}

/** Returns everything a book holds to the heap. */
export function freeBook(book: usize): void {
  b = changetype<Book>(book);
  for (let k = 0; k < 2; k++) {
    const side = k == 0 ? b.bids : b.asks;
    freeMap(side.bySlotPrice);
    heap.free(side.price);
    heap.free(side.size);
    heap.free(side.anonymous);
    heap.free(side.orders);
    heap.free(side.head);
    heap.free(side.tail);
    heap.free(side.stamp);
    heap.free(side.free);
    heap.free(side.keys);
    heap.free(side.slots);
    heap.free(side.lengths);
    heap.free(side.order);
    heap.free(side.spare);
    heap.free(changetype<usize>(side));
  }
  freeMap(b.index);
  heap.free(b.orderId);
  heap.free(b.orderPrice);
  heap.free(b.orderSize);
  heap.free(b.orderFilled);
  heap.free(b.orderAdded);
  heap.free(b.orderSide);
  heap.free(b.orderLevel);
  heap.free(b.orderPrev);
  heap.free(b.orderNext);
  heap.free(b.freeOrders);
  heap.free(b.state);
  heap.free(book);
}

/** Writes the state block; returns GREW when the memory grew since the last call. */
function publish(): i32 {
  // Fields are read into locals once (here and in the hot functions below): the compiler does not know
  // that the stores in between leave them unchanged.
  const book = b;
  const state = book.state;
  const bids = book.bids;
  const asks = book.asks;
  writeBest(state + (<usize>BID_PRICE << 3));
  setF64(state, BID_CHANGES, <f64>bids.changes);
  setF64(state, ASK_CHANGES, <f64>asks.changes);
  setF64(state, ORDER_COUNT, <f64>book.index.size);
  setF64(state, DROPPED_ORDERS, book.dropped);
  setF64(state, SNAPSHOT_CHANGES, book.snapshotChanges);
  setF64(state, SNAPSHOT_REMOVED_LEVELS, book.snapshotRemovedLevels);
  setF64(state, BID_DEPTH, <f64>bids.count);
  setF64(state, ASK_DEPTH, <f64>asks.count);
  const size = memory.size();
  if (size == pages) return 0;
  pages = size;
  return GREW;
}

export function stateBlock(book: usize): usize { return changetype<Book>(book).state; }
export function scratchBlock(): usize { return scratch; }
export function recordBlock(): usize { return records; }
export function lifeRecord(): usize { return life; }
export function listen(book: usize, on: i32): void { b = changetype<Book>(book); b.listening = on != 0; }
export function setFollowVenue(book: usize, on: i32): void { b = changetype<Book>(book); b.followVenue = on != 0; }

// Order events. `ts` is when an added order entered the book, `at` the time of the event (an order's end).

export function add(book: usize, id: f64, side: i32, price: f64, size: f64, ts: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return addOrder(id, side, price, size, ts) | publish();
}

export function cancel(book: usize, id: f64, side: i32, price: f64, size: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return cancelOrder(id, side, price, size) | publish();
}

export function remove(book: usize, id: f64, side: i32, price: f64, size: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return deleteOrder(id, side, price, size) | publish();
}

export function fill(book: usize, id: f64, side: i32, price: f64, size: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return fillOrder(id, side, price, size) | publish();
}

export function modify(book: usize, id: f64, side: i32, price: f64, size: f64, ts: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return modifyOrder(id, side, price, size, ts) | publish();
}

// The order events of the current book at the current time (the exports above, and `applyOrders`).

function cancelOrder(id: f64, side: i32, price: f64, size: f64): i32 {
  const slot = mapGet(b.index, id);
  return slot < 0 ? takeAnonymous(side, price, size) : reduce(slot, size, CANCELLED);
}

function deleteOrder(id: f64, side: i32, price: f64, size: f64): i32 {
  const slot = mapGet(b.index, id);
  if (slot < 0) return takeAnonymous(side, price, size);
  const excess = size > 0 ? f64At(b.orderSize, slot) - size : 0;
  if (excess != 0) {
    const ladder = sideOf(i32At(b.orderSide, slot));
    const level = i32At(b.orderLevel, slot);
    setF64(ladder.anonymous, level, f64At(ladder.anonymous, level) + excess);
    setF64(ladder.size, level, f64At(ladder.size, level) + excess);
    ladder.changes++;
  }
  ended(slot, CANCELLED);
  removeOrder(slot);
  return excess == 0 ? OK : SIZE_MISMATCH;
}

function fillOrder(id: f64, side: i32, price: f64, size: f64): i32 {
  const slot = mapGet(b.index, id);
  if (slot < 0) return takeAnonymous(side, price, size);
  setF64(b.orderFilled, slot, f64At(b.orderFilled, slot) + size);
  return reduce(slot, size, FILLED) == EXCEEDS_SIZE ? BEYOND_DISPLAYED : OK;
}

function modifyOrder(id: f64, side: i32, price: f64, size: f64, ts: f64): i32 {
  const slot = mapGet(b.index, id);
  let result = OK;
  if (slot < 0) {
    if (size > 0) addOrder(id, side, price, size, ts);
    result = UNKNOWN_ORDER;
  } else if (!(size > 0)) {
    ended(slot, CANCELLED);
    removeOrder(slot);
  } else if (price == f64At(b.orderPrice, slot) && size <= f64At(b.orderSize, slot) && side == i32At(b.orderSide, slot)) {
    const ladder = sideOf(side);
    const level = i32At(b.orderLevel, slot);
    setF64(ladder.size, level, f64At(ladder.size, level) + size - f64At(b.orderSize, slot));
    ladder.changes++;
    setF64(b.orderSize, slot, size);
  } else {
    const filled = f64At(b.orderFilled, slot);
    const added = f64At(b.orderAdded, slot);
    removeOrder(slot);
    addOrder(id, side, price, size, added);
    const moved = mapGet(b.index, id);
    if (moved >= 0) setF64(b.orderFilled, moved, filled);
  }
  return result;
}

// Level events.

export function setLevel(book: usize, side: i32, price: f64, size: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return levelSet(side, price, size) | publish();
}

export function deleteLevel(book: usize, side: i32, price: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return levelDelete(side, price) | publish();
}

export function clear(book: usize): i32 {
  b = changetype<Book>(book);
  clearBook();
  return publish();
}

/** Starts a snapshot of one side (1, -1) or both (0): full (`depth` 0) or of the top `depth` levels. */
export function beginSnapshot(book: usize, side: i32, depth: i32, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  snapshotBegin(side, depth);
  return publish();
}

function snapshotBegin(side: i32, depth: i32): void {
  b.snapshotSide = side;
  b.snapshotDepth = depth;
  b.generation++;
  if (depth > 0) return;
  if (side == 0) clearBook();
  else {
    const ladder = sideOf(side);
    while (ladder.count > 0) dropLevel(ladder, ladder.best);
  }
}

/** Lists a level in the current snapshot: sets it and marks it as shown. */
export function snapshotLevel(book: usize, side: i32, price: f64, size: f64, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  return snapshotSet(side, price, size) | publish();
}

/** Ends the snapshot: a depth-N snapshot removes the levels in its range that it did not list. */
export function endSnapshot(book: usize, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  snapshotEnd();
  return publish();
}

function snapshotEnd(): void {
  if (b.snapshotDepth != 0) {
    if (b.snapshotSide != -1) trimUnlisted(b.bids);
    if (b.snapshotSide != 1) trimUnlisted(b.asks);
    b.snapshotDepth = 0;
  }
}

/** Drops the worst levels of each side beyond `depth`. */
export function truncate(book: usize, depth: i32, at: f64): i32 {
  b = changetype<Book>(book);
  now = at;
  cut(depth);
  return publish();
}

/** Drops the worst levels of each side of the current book beyond `depth`. */
function cut(depth: i32): void {
  while (b.bids.count > depth) dropLevel(b.bids, slotAt(b.bids, b.bids.count - 1));
  while (b.asks.count > depth) dropLevel(b.asks, slotAt(b.asks, b.asks.count - 1));
}

// Queries.

export function priceAt(book: usize, side: i32, rank: i32): f64 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const slot = slotAt(ladder, rank);
  return slot < 0 ? NaN : f64At(ladder.price, slot);
}

export function sizeAt(book: usize, side: i32, rank: i32): f64 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const slot = slotAt(ladder, rank);
  return slot < 0 ? 0 : f64At(ladder.size, slot);
}

export function sizeAtPrice(book: usize, side: i32, price: f64): f64 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const slot = find(ladder, price);
  return slot < 0 ? 0 : f64At(ladder.size, slot);
}

/**
 * Writes the prices of the levels of ranks [from, from + n) to the scratch's first half and their sizes
 * to its second (n at most SCRATCH_VALUES / 2); returns how many there were.
 */
export function copyBest(book: usize, side: i32, from: i32, n: i32): i32 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const held = max(0, min(n, ladder.count - from));
  const sizes = scratch + (<usize>(SCRATCH_VALUES / 2) << 3);
  const order = ladder.order;
  const lengths = ladder.lengths;
  // Ranks walked from the best, block by block.
  for (let k = 0, rank = 0, position = ladder.blocks - 1; k < held; position--) {
    const base = i32At(order, position) << SHIFT;
    for (let at = base + i32At(lengths, i32At(order, position)) - 1; at >= base && k < held; at--, rank++) {
      if (rank < from) continue;
      const slot = i32At(ladder.slots, at);
      setF64(scratch, k, f64At(ladder.price, slot));
      setF64(sizes, k, f64At(ladder.size, slot));
      k++;
    }
  }
  return held;
}

export function orderSizeOf(book: usize, id: f64): f64 {
  b = changetype<Book>(book);
  const slot = mapGet(b.index, id);
  return slot < 0 ? NaN : f64At(b.orderSize, slot);
}

export function orderAddedNs(book: usize, id: f64): f64 {
  b = changetype<Book>(book);
  const slot = mapGet(b.index, id);
  return slot < 0 ? NaN : f64At(b.orderAdded, slot);
}

/** Size queued ahead of an order at its price (anonymous liquidity first), or NaN for an unknown order. */
export function queueAhead(book: usize, id: f64): f64 {
  b = changetype<Book>(book);
  const slot = mapGet(b.index, id);
  if (slot < 0) return NaN;
  const ladder = sideOf(i32At(b.orderSide, slot));
  let ahead = max(0, f64At(ladder.anonymous, i32At(b.orderLevel, slot)));
  for (let at = i32At(b.orderPrev, slot); at >= 0; at = i32At(b.orderPrev, at)) ahead += f64At(b.orderSize, at);
  return ahead;
}

export function frontOrderId(book: usize, side: i32, price: f64): f64 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const slot = find(ladder, price);
  if (slot < 0) return NaN;
  const head = i32At(ladder.head, slot);
  return head < 0 ? NaN : f64At(b.orderId, head);
}

/** Writes the ids of the orders at positions [from, from + SCRATCH_VALUES) of a level's queue; returns how many. */
export function ordersAt(book: usize, side: i32, price: f64, from: i32): i32 {
  b = changetype<Book>(book);
  const ladder = sideOf(side);
  const slot = find(ladder, price);
  if (slot < 0) return 0;
  let position = 0;
  let n = 0;
  for (let at = i32At(ladder.head, slot); at >= 0 && n < SCRATCH_VALUES; at = i32At(b.orderNext, at), position++) {
    if (position >= from) setF64(scratch, n++, f64At(b.orderId, at));
  }
  return n;
}

// The rules (l3-book.ts explains them).

function addOrder(id: f64, side: i32, price: f64, size: f64, ts: f64): i32 {
  if ((side != 1 && side != -1) || !(size > 0)) return BAD_EVENT;
  let result = OK;
  let slot = b.freeOrderCount > 0 ? i32At(b.freeOrders, b.freeOrderCount - 1) : b.nextOrder;
  const existing = mapGetOrInsert(b.index, id, slot);
  if (existing < 0) allocateOrder();
  else {
    removeOrder(existing);
    result = DUPLICATE_ORDER;
    slot = allocateOrder();
    mapSet(b.index, id, slot);
  }
  const book = b;
  setF64(book.orderId, slot, id);
  setF64(book.orderPrice, slot, price);
  setF64(book.orderSize, slot, size);
  setF64(book.orderFilled, slot, 0);
  setF64(book.orderAdded, slot, ts);
  setI32(book.orderSide, slot, side);
  enqueue(slot, sideOf(side), price);
  return result;
}

function snapshotSet(side: i32, price: f64, size: f64): i32 {
  const ladder = sideOf(side);
  const before = find(ladder, price);
  if (before < 0 || f64At(ladder.size, before) != size) b.snapshotChanges++;
  const result = levelSet(side, price, size);
  const slot = before >= 0 && size > 0 ? before : find(ladder, price);
  if (slot >= 0) setI32(ladder.stamp, slot, b.generation);
  return result;
}

function levelSet(side: i32, price: f64, size: f64): i32 {
  if (side != 1 && side != -1) return BAD_EVENT;
  if (size <= 0) return levelDelete(side, price);
  const ladder = sideOf(side);
  const slot = ensure(ladder, price);
  setF64(ladder.anonymous, slot, f64At(ladder.anonymous, slot) + size - f64At(ladder.size, slot));
  setF64(ladder.size, slot, size);
  ladder.changes++;
  return OK;
}

function levelDelete(side: i32, price: f64): i32 {
  if (side != 1 && side != -1) return BAD_EVENT;
  const ladder = sideOf(side);
  const slot = find(ladder, price);
  if (slot >= 0) dropLevel(ladder, slot);
  return OK;
}

function clearBook(): void {
  clearSide(b.bids);
  clearSide(b.asks);
  mapClear(b.index);
  b.freeOrderCount = 0;
  b.nextOrder = 0;
}

function takeAnonymous(side: i32, price: f64, size: f64): i32 {
  if (side != 1 && side != -1) return UNKNOWN_ORDER;
  const ladder = sideOf(side);
  const slot = find(ladder, price);
  if (slot < 0) return UNKNOWN_ORDER;
  const available = max(0, f64At(ladder.anonymous, slot));
  const covered = available >= size;
  const taken = covered || b.followVenue ? size : available;
  setF64(ladder.anonymous, slot, f64At(ladder.anonymous, slot) - taken);
  setF64(ladder.size, slot, f64At(ladder.size, slot) - taken);
  ladder.changes++;
  if (!(f64At(ladder.size, slot) > 0)) dropLevel(ladder, slot);
  return covered ? TOOK_ANONYMOUS : UNKNOWN_ORDER;
}

function reduce(slot: i32, size: f64, end: f64): i32 {
  const book = b;
  const sizes = book.orderSize;
  const remaining = f64At(sizes, slot) - size;
  if (remaining > 0) {
    const ladder = i32At(book.orderSide, slot) == 1 ? book.bids : book.asks;
    const level = i32At(book.orderLevel, slot);
    setF64(sizes, slot, remaining);
    setF64(ladder.size, level, f64At(ladder.size, level) - size);
    ladder.changes++;
    return OK;
  }
  ended(slot, end);
  removeOrder(slot);
  return remaining == 0 ? OK : EXCEEDS_SIZE;
}

function enqueue(slot: i32, ladder: Side, price: f64): void {
  const level = ensure(ladder, price);
  const book = b;
  const next = book.orderNext;
  const tail = i32At(ladder.tail, level);
  setI32(book.orderLevel, slot, level);
  setI32(book.orderPrev, slot, tail);
  setI32(next, slot, -1);
  if (tail >= 0) setI32(next, tail, slot);
  else setI32(ladder.head, level, slot);
  setI32(ladder.tail, level, slot);
  setI32(ladder.orders, level, i32At(ladder.orders, level) + 1);
  setF64(ladder.size, level, f64At(ladder.size, level) + f64At(book.orderSize, slot));
  ladder.changes++;
}

/** Unlinks an order from its level and frees it; removes the level when its total reaches zero. */
function removeOrder(slot: i32): void {
  const book = b;
  const prevs = book.orderPrev;
  const nexts = book.orderNext;
  const ladder = i32At(book.orderSide, slot) == 1 ? book.bids : book.asks;
  const level = i32At(book.orderLevel, slot);
  const prev = i32At(prevs, slot);
  const next = i32At(nexts, slot);
  if (prev >= 0) setI32(nexts, prev, next);
  else setI32(ladder.head, level, next);
  if (next >= 0) setI32(prevs, next, prev);
  else setI32(ladder.tail, level, prev);
  setI32(ladder.orders, level, i32At(ladder.orders, level) - 1);
  setF64(ladder.size, level, f64At(ladder.size, level) - f64At(book.orderSize, slot));
  ladder.changes++;
  release(slot);
  if (!(f64At(ladder.size, level) > 0)) dropLevel(ladder, level);
}

/** Removes a level with every order still listed in it. */
function dropLevel(ladder: Side, level: i32): void {
  for (let at = i32At(ladder.head, level); at >= 0; ) {
    const after = i32At(b.orderNext, at);
    ended(at, DROPPED);
    release(at);
    b.dropped++;
    at = after;
  }
  removeSlot(ladder, level);
}

function trimUnlisted(ladder: Side): void {
  let listed = 0;
  for (let rank = 0; rank < ladder.count && listed < b.snapshotDepth; rank++) if (i32At(ladder.stamp, slotAt(ladder, rank)) == b.generation) listed++;
  for (let rank = 0, seen = 0; rank < ladder.count && (listed < b.snapshotDepth || seen < listed); ) {
    const slot = slotAt(ladder, rank);
    if (i32At(ladder.stamp, slot) == b.generation) {
      seen++;
      rank++;
    } else {
      dropLevel(ladder, slot);
      b.snapshotRemovedLevels++;
      b.snapshotChanges++;
    }
  }
}

/** Fills in the life record and reports it, when asked to. */
function ended(slot: i32, end: f64): void {
  if (!b.listening) return;
  setF64(life, 0, f64At(b.orderId, slot));
  setF64(life, 1, <f64>i32At(b.orderSide, slot));
  setF64(life, 2, f64At(b.orderPrice, slot));
  setF64(life, 3, f64At(b.orderAdded, slot));
  setF64(life, 4, now);
  setF64(life, 5, f64At(b.orderFilled, slot));
  setF64(life, 6, end == FILLED ? 0 : f64At(b.orderSize, slot));
  setF64(life, 7, end);
  // The listener may call the module about other books: this call's book and time are restored after it.
  const book = b;
  const time = now;
  orderEnded(changetype<usize>(book));
  b = book;
  now = time;
}

function release(slot: i32): void {
  const book = b;
  mapDelete(book.index, f64At(book.orderId, slot));
  setI32(book.freeOrders, book.freeOrderCount++, slot);
}

function allocateOrder(): i32 {
  if (b.freeOrderCount > 0) return i32At(b.freeOrders, --b.freeOrderCount);
  const slot = b.nextOrder++;
  if (slot == b.orderCapacity) sizeOrders(b.orderCapacity * 2);
  return slot;
}

/** Room for `capacity` orders in the book's order arrays (made, or grown with their orders kept). */
function sizeOrders(capacity: i32): void {
  b.orderId = grown(b.orderId, capacity, 8);
  b.orderPrice = grown(b.orderPrice, capacity, 8);
  b.orderSize = grown(b.orderSize, capacity, 8);
  b.orderFilled = grown(b.orderFilled, capacity, 8);
  b.orderAdded = grown(b.orderAdded, capacity, 8);
  b.orderSide = grown(b.orderSide, capacity, 4);
  b.orderLevel = grown(b.orderLevel, capacity, 4);
  b.orderPrev = grown(b.orderPrev, capacity, 4);
  b.orderNext = grown(b.orderNext, capacity, 4);
  b.freeOrders = grown(b.freeOrders, capacity, 4);
  b.orderCapacity = capacity;
}

// A batch's rows, for `applyLevels` and `applyOrders`: its columns, copied in by BookModule.loadRows (the
// order ids and times for `applyOrders` only).
let rowCapacity = 0;
let rowAction: usize = 0;
let rowSide: usize = 0;
let rowPrice: usize = 0;
let rowSize: usize = 0;
let rowFlags: usize = 0;
let rowInstrument: usize = 0;
let rowOrderId: usize = 0;
let rowTs: usize = 0;
// The event model's codes (src/core/event.ts), set by `configure`.
let ADD: u8 = 0;
let CANCEL: u8 = 0;
let DELETE: u8 = 0;
let MODIFY: u8 = 0;
let FILL: u8 = 0;
let TRADE: u8 = 0;
let CLEAR: u8 = 0;
let LEVEL_SET: u8 = 0;
let LEVEL_DELETE: u8 = 0;
let SNAPSHOT_BEGIN: u8 = 0;
let SNAPSHOT_END: u8 = 0;
let LAST: u8 = 0;

/** Why `applyLevels` stopped (its result's bits 4 to 7): before a row it does not apply… */
export const BEFORE_ROW: i32 = 0;
/** …after a row that completed an update (`applyOrders`: after a row, its records nearly full)… */
export const COMPLETED: i32 = 1;
/** …or after a row whose outcome (bits 0 to 3) was not Ok. */
export const FOUND: i32 = 2;

/** The action codes from Add to SnapshotEnd (src/core/event.ts: Action, in its order), and the Last flag. */
export function configure(add: u8, cancel: u8, del: u8, modify: u8, fill: u8, trade: u8, clear: u8, levelSet: u8, levelDelete: u8, snapshotBegin: u8, snapshotEnd: u8, last: u8): void {
  ADD = add;
  CANCEL = cancel;
  DELETE = del;
  MODIFY = modify;
  FILL = fill;
  TRADE = trade;
  CLEAR = clear;
  LEVEL_SET = levelSet;
  LEVEL_DELETE = levelDelete;
  SNAPSHOT_BEGIN = snapshotBegin;
  SNAPSHOT_END = snapshotEnd;
  LAST = last;
}

/** Makes room for `rows` rows; returns GREW when the memory grew. */
export function reserveRows(rows: i32): i32 {
  if (rows > rowCapacity) {
    rowCapacity = max(rows, rowCapacity * 2);
    rowAction = grown(rowAction, rowCapacity, 1);
    rowSide = grown(rowSide, rowCapacity, 1);
    rowPrice = grown(rowPrice, rowCapacity, 8);
    rowSize = grown(rowSize, rowCapacity, 8);
    rowFlags = grown(rowFlags, rowCapacity, 1);
    rowInstrument = grown(rowInstrument, rowCapacity, 4);
    rowOrderId = grown(rowOrderId, rowCapacity, 8);
    rowTs = grown(rowTs, rowCapacity, 8);
  }
  const size = memory.size();
  if (size == pages) return 0;
  pages = size;
  return GREW;
}

export function rowsAction(): usize { return rowAction; }
export function rowsSide(): usize { return rowSide; }
export function rowsPrice(): usize { return rowPrice; }
export function rowsSize(): usize { return rowSize; }
export function rowsFlags(): usize { return rowFlags; }
export function rowsInstrument(): usize { return rowInstrument; }
export function rowsOrderId(): usize { return rowOrderId; }
export function rowsTs(): usize { return rowTs; }

/**
 * Applies the level rows [from, to) of the loaded batch to `book` (as snapshot levels when `inSnapshot`),
 * until a row of another action or instrument (not applied), a row that completes an update outside a
 * snapshot, or one whose outcome is not Ok. Returns the rows it went through (to the row it stopped
 * before) × 256 + why × 16 + that outcome: `to - from` must be below 2^23. A call a run of rows, not a
 * call a row: a crypto diff holds tens of levels.
 */
export function applyLevels(book: usize, from: i32, to: i32, inSnapshot: i32): i32 {
  b = changetype<Book>(book);
  const instrument = i32At(rowInstrument, from);
  let stop = to;
  let why = BEFORE_ROW;
  let outcome = OK;
  for (let i = from; i < to; i++) {
    const action = load<u8>(rowAction + i);
    if (i32At(rowInstrument, i) != instrument || (action != LEVEL_SET && action != LEVEL_DELETE)) {
      stop = i;
      break;
    }
    const side = <i32>load<i8>(rowSide + i);
    const price = f64At(rowPrice, i);
    if (action == LEVEL_DELETE) outcome = levelDelete(side, price);
    else if (inSnapshot) outcome = snapshotSet(side, price, f64At(rowSize, i));
    else outcome = levelSet(side, price, f64At(rowSize, i));
    if (outcome != OK) {
      stop = i + 1;
      why = FOUND;
      break;
    }
    if (!inSnapshot && load<u8>(rowFlags + i) & LAST) {
      stop = i + 1;
      why = COMPLETED;
      break;
    }
  }
  publish();
  return ((stop - from) << 8) | (why << 4) | outcome;
}

/**
 * Applies the rows [from, to) of the loaded batch (order ids and times loaded too) to the L3 `book`, the
 * way src/book/replay.ts applies them a row at a time: order events, level events (as snapshot levels
 * inside a snapshot, which `inSnapshot` says the book is in at `from`), trades (no effect), clears and
 * snapshot bounds; an event's time is its row's time plus `shift`. Each outcome that is not Ok is recorded
 * (a finding), then each update completed outside a snapshot, cut to `depth` levels a side (-1: no limit).
 * It stops before a row of another action (status, checksum, …) or instrument (BEFORE_ROW), or after a
 * row once the records are nearly full (COMPLETED; a row may add two). Returns as `applyLevels` does, the
 * outcome bits 0.
 */
export function applyOrders(book: usize, from: i32, to: i32, inSnapshot: i32, shift: f64, depth: i32): i32 {
  b = changetype<Book>(book);
  const instrument = i32At(rowInstrument, from);
  let stop = to;
  let why = BEFORE_ROW;
  let count = 0;
  let snapshot = inSnapshot != 0;
  for (let i = from; i < to; i++) {
    if (i32At(rowInstrument, i) != instrument) {
      stop = i;
      break;
    }
    const action = load<u8>(rowAction + i);
    const side = <i32>load<i8>(rowSide + i);
    const price = f64At(rowPrice, i);
    const size = f64At(rowSize, i);
    now = f64At(rowTs, i) + shift;
    let outcome = OK;
    if (action == ADD) outcome = addOrder(f64At(rowOrderId, i), side, price, size, now);
    else if (action == CANCEL) outcome = cancelOrder(f64At(rowOrderId, i), side, price, size);
    else if (action == DELETE) outcome = deleteOrder(f64At(rowOrderId, i), side, price, size);
    else if (action == FILL) outcome = fillOrder(f64At(rowOrderId, i), side, price, size);
    else if (action == MODIFY) outcome = modifyOrder(f64At(rowOrderId, i), side, price, size, now);
    else if (action == LEVEL_SET) outcome = snapshot ? snapshotSet(side, price, size) : levelSet(side, price, size);
    else if (action == LEVEL_DELETE) outcome = levelDelete(side, price);
    else if (action == SNAPSHOT_BEGIN) {
      snapshotBegin(side, <i32>size);
      snapshot = true;
    } else if (action == SNAPSHOT_END) {
      snapshotEnd();
      snapshot = false;
    } else if (action == CLEAR) clearBook();
    else if (action != TRADE) {
      stop = i;
      break;
    }
    if (outcome != OK) recordFinding(count++, i, outcome);
    if (!snapshot && load<u8>(rowFlags + i) & LAST) {
      if (depth >= 0) cut(depth);
      record(count++, i);
    }
    if (count > RECORDS - 2) {
      stop = i + 1;
      why = COMPLETED;
      break;
    }
  }
  setF64(records, 0, <f64>count);
  setF64(records, 1, snapshot ? 1 : 0);
  publish();
  return ((stop - from) << 8) | (why << 4);
}

/** Writes record `k`: a finding, the outcome `outcome` of `row`. */
function recordFinding(k: i32, row: i32, outcome: i32): void {
  const at = RECORDS_AT + k * RECORD_VALUES;
  setF64(records, at, <f64>(-1 - row));
  setF64(records, at + 1, <f64>outcome);
}

/** Writes record `k`: the complete update that ends at `row`, the current book as `publish` shows it. */
function record(k: i32, row: i32): void {
  const at = RECORDS_AT + k * RECORD_VALUES;
  setF64(records, at, <f64>row);
  writeBest(records + (<usize>(at + 1) << 3));
  setF64(records, at + 5, b.snapshotChanges);
}

/**
 * Writes the current book's best bid price and size and best ask price and size at `to` (an empty side:
 * NaN and 0), as the state block (BID_PRICE…ASK_SIZE) and a record hold them.
 */
@inline function writeBest(to: usize): void {
  const bids = b.bids;
  const asks = b.asks;
  const bid = bids.best;
  const ask = asks.best;
  store<f64>(to, bid >= 0 ? f64At(bids.price, bid) : NaN);
  store<f64>(to + 8, bid >= 0 ? f64At(bids.size, bid) : 0);
  store<f64>(to + 16, ask >= 0 ? f64At(asks.price, ask) : NaN);
  store<f64>(to + 24, ask >= 0 ? f64At(asks.size, ask) : 0);
}
