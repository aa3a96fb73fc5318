/**
 * Per-instrument constants: how integer price and size units map to real numbers.
 * Prices travel as integer multiples of `priceIncrement`, sizes as integer multiples of `sizeIncrement`.
 */
export interface Instrument {
  /** Venue name in lower case, e.g. `nasdaq`, `glbx-mdp3`, `bitstamp`. */
  venue: string;
  /** Venue symbol, e.g. `AMZN`, `ESH4`, `BTCUSD`. */
  symbol: string;
  /** Venue's numeric instrument id where it has one (Databento instrument_id), else -1. */
  venueId: number;
  /** Decimal places of one price unit: a price of `p` units is `p / 10**priceDecimals`. */
  priceDecimals: number;
  /** Decimal places of one size unit. */
  sizeDecimals: number;
  /**
   * Minimum quoted price step in price units (LOBSTER equities: 100 = $0.01). A reader that cannot know it
   * sets 0, and `openSource` replaces that with the finest step the stream's head shows (src/io/tick-inference.ts).
   */
  tickUnits: number;
  /**
   * Decimals the venue prints for prices and sizes when they differ from the integer units above (Kraken
   * writes XMR/USD prices with 8 decimals though they have 2). Checksums are computed on that text.
   */
  printDecimals?: { price: number; size: number };
}

/** An append-only table of the instruments one stream carries; `EventBatch.instrument` indexes it. */
export class InstrumentTable {
  readonly list: Instrument[] = [];
  private readonly byKey = new Map<string, number>();

  /** Returns the index of the instrument with this venue and symbol, adding it if new. */
  intern(instrument: Instrument): number {
    const key = `${instrument.venue}\u0000${instrument.symbol}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    this.list.push(instrument);
    this.byKey.set(key, this.list.length - 1);
    return this.list.length - 1;
  }

  get(index: number): Instrument {
    const instrument = this.list[index];
    if (!instrument) throw new RangeError(`no instrument at index ${index} (table has ${this.list.length})`);
    return instrument;
  }

  get size(): number {
    return this.list.length;
  }
}
