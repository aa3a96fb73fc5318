/**
 * The vocabulary of the normalized event stream: actions, sides and flags.
 * Every reader maps its venue's messages onto these; docs/DATA_SEMANTICS.md says what each one means.
 */

/** What one event row does. Stored in `EventBatch.action` (Uint8Array). */
export const Action = {
  /** L3: a new resting order (orderId, side, price, size). */
  Add: 1,
  /** L3: a resting order shrinks by `size` without trading (partial cancel). */
  Cancel: 2,
  /** L3: a resting order leaves the book without trading (full cancel); `size` is what it still had. */
  Delete: 3,
  /** L3: a resting order gets a new absolute `price` and `size`; priority rules in DATA_SEMANTICS.md. */
  Modify: 4,
  /** L3: a resting order is executed by `size` (passive side); the book shrinks by `size`. */
  Fill: 5,
  /** A trade print; `side` is the aggressor (Buy, Sell or Unknown). No book effect. */
  Trade: 6,
  /** The venue clears the instrument's book. */
  Clear: 7,
  /** L2: the level at `price` on `side` now holds `size` in total (size > 0). */
  LevelSet: 8,
  /** L2: the level at `price` on `side` is gone. */
  LevelDelete: 9,
  /**
   * A snapshot starts; rows until SnapshotEnd carry Flag.Snapshot. `side` 0 covers both sides, 1 or -1
   * one side. `size` 0: a full snapshot (the side is cleared first). `size` N > 0: a depth-N snapshot —
   * its LevelSet rows are the top N levels, so at SnapshotEnd every unlisted level at or better than the
   * worst listed one is removed (every unlisted level, when fewer than N are listed); deeper levels stay.
   */
  SnapshotBegin: 10,
  /** The snapshot is complete; the book is valid from here. */
  SnapshotEnd: 11,
  /** A trading status change; `size` holds a `Status` code. No book effect. */
  Status: 12,
  /**
   * The venue's checksum of the book after this update (`size`, an unsigned 32-bit value), verified by
   * the source's BookChecksum rule when the book is replayed. No book effect.
   */
  Checksum: 13,
  /**
   * A venue statistic for the instrument (derivative tickers): `orderId` holds a `Stat` code; price-like
   * statistics hold their value in `price` (price units), quantities in `size` (size units) and rates in
   * `size` as integer units of 1e-12 (`RATE_SCALE`). No book effect.
   */
  Stat: 14,
} as const;
export type ActionCode = (typeof Action)[keyof typeof Action];

const actionNames: Record<number, string> = Object.fromEntries(Object.entries(Action).map(([name, code]) => [code, name]));
/** Returns the name of an action code, e.g. `actionName(Action.Add) === "Add"`. */
export function actionName(code: number): string {
  return actionNames[code] ?? `unknown(${code})`;
}
/** Number of action codes plus one: size of a per-action counter array indexed by code. */
export const ACTION_SLOTS = 15;

/** Trading status codes carried in `size` of a Status row (LOBSTER type 7 and venue status messages). */
export const Status = { Halted: 1, Quoting: 2, Trading: 3 } as const;

/** Statistic codes carried in `orderId` of a Stat row; where each one's value lives is given per code. */
export const Stat = {
  /** `price`: the venue's mark price. */
  MarkPrice: 1,
  /** `price`: the index (spot reference) price. */
  IndexPrice: 2,
  /** `price`: the last traded price the venue reports with its ticker. */
  LastPrice: 3,
  /** `size` in RATE_SCALE units: the current funding rate per funding interval. */
  FundingRate: 4,
  /** `size` in RATE_SCALE units: the predicted next funding rate. */
  PredictedFundingRate: 5,
  /** `size`: open interest in the instrument's size units (contracts or base currency, as the venue counts). */
  OpenInterest: 6,
} as const;
export type StatCode = (typeof Stat)[keyof typeof Stat];
/** Rates (funding) in a Stat row's `size` are integers in units of 1 / RATE_SCALE. */
export const RATE_SCALE = 1e12;

/** Side of a resting order or level (Bid/Ask), or aggressor side of a trade (Buy/Sell). */
export const Side = { Bid: 1, Ask: -1, Buy: 1, Sell: -1, None: 0 } as const;

/** Bits of `EventBatch.flags`. */
export const Flag = {
  /** Last row of one atomic venue update: books and features act only after it. */
  Last: 1,
  /** Row belongs to a snapshot (initial or resync state), not to live flow. */
  Snapshot: 2,
  /** The venue marked the receive timestamp unreliable (Databento F_BAD_TS_RECV). */
  BadTsRecv: 4,
  /** Execution against hidden (non-displayed) liquidity: no visible book effect (LOBSTER type 5). */
  Hidden: 8,
  /** The reader repaired this row under the `repair` policy; the integrity report says how. */
  Repaired: 16,
  /** The venue flagged the book as possibly inconsistent at this row (Databento F_MAYBE_BAD_BOOK). */
  MaybeBadBook: 32,
  /**
   * The row restates an order after its fill: the venue's book side of a Fill (an iceberg's refilled
   * display, CME's Modify after an F). Not a decision of the trader: not a modify for cancel statistics.
   */
  AfterFill: 64,
  /**
   * The row's order was placed before the data begins (a recording that starts mid-book), as the venue's
   * increasing order ids prove: the book cannot know it, and an unknown order id here is expected.
   */
  PlacedBefore: 128,
} as const;
