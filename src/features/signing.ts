/**
 * Trade classification: which side initiated a trade, when the venue does not say. Each rule sees one
 * trade at a time with the quote in force before it (best bid and ask, NaN when absent) and keeps the
 * little state it needs (the last price change for the tick rule).
 *
 * - `tick`: up-tick buy, down-tick sell, zero tick takes the last non-zero tick's sign (Lee & Ready 1991).
 * - `quote`: above the mid buy, below sell, at the mid unclassified (0).
 * - `lee_ready`: the quote rule, and the tick rule for trades at the mid (Lee & Ready 1991; the quote is
 *   the one in force just before the trade, as modern time stamps allow, not lagged by 5 s).
 * - `emo`: at the ask buy, at the bid sell, otherwise the tick rule (Ellis, Michaely & O'Hara 2000).
 * - `aggressor`: the venue's aggressor side; the tick rule where the venue gives none.
 */
export const SIGNING_RULES = ['aggressor', 'tick', 'quote', 'lee_ready', 'emo'] as const;
export type SigningRule = (typeof SIGNING_RULES)[number];

export class TradeSigner {
  private lastPrice = NaN;
  private lastTickSign = 0;

  constructor(readonly rule: SigningRule) {}

  /** +1 buyer-initiated, −1 seller-initiated, 0 unclassified. Call for every trade, in order. */
  sign(price: number, venueSide: number, bid: number, ask: number): number {
    const tick = this.tick(price);
    switch (this.rule) {
      case 'aggressor':
        return venueSide !== 0 ? venueSide : tick;
      case 'tick':
        return tick;
      case 'quote':
        return quoteSign(price, bid, ask);
      case 'lee_ready': {
        const quote = quoteSign(price, bid, ask);
        return quote !== 0 ? quote : tick;
      }
      case 'emo':
        return price === ask ? 1 : price === bid ? -1 : tick;
    }
  }

  private tick(price: number): number {
    if (price > this.lastPrice) this.lastTickSign = 1;
    else if (price < this.lastPrice) this.lastTickSign = -1;
    this.lastPrice = price;
    return this.lastTickSign;
  }
}

function quoteSign(price: number, bid: number, ask: number): number {
  const mid = (bid + ask) / 2;
  return price > mid ? 1 : price < mid ? -1 : 0;
}
