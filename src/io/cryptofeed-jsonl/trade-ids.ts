/** What `TradeIdChain.next` found. */
export const TradeIdStep = { First: 0, Next: 1, AlreadySeen: 2, Gap: 3 } as const;

/**
 * Trade id continuity for venues that number each product's trades consecutively (Coinbase): per
 * instrument, the last id seen and whether the next one follows it.
 */
export class TradeIdChain {
  private readonly last: number[] = [];
  /** After `next` returned Gap: how many ids are missing. */
  missing = 0;
  /** After `next` returned Gap or AlreadySeen: the id that was expected. */
  expected = NaN;

  /** Records trade `id` of `instrument` (ids below 2^53) and says how it follows the last one. */
  next(instrument: number, id: number): number {
    const last = this.last[instrument];
    if (last === undefined) {
      this.last[instrument] = id;
      return TradeIdStep.First;
    }
    this.expected = last + 1;
    if (id <= last) return TradeIdStep.AlreadySeen;
    this.last[instrument] = id;
    if (id === last + 1) return TradeIdStep.Next;
    this.missing = id - last - 1;
    return TradeIdStep.Gap;
  }
}
