import { decimalsOf } from '../../core/decimal.js';

/** Price and size decimals of one product. */
export interface Decimals {
  price: number;
  size: number;
}

/**
 * The widest decimals a capture prints for each product's prices and sizes, gathered over every message
 * before reading (a later message may print more decimals than the first snapshot did), so that every
 * value of the product is held exactly in integer units.
 */
export class ProductDecimals {
  private readonly widths = new Map<string, Decimals>();

  /** Widens the product's price decimals to those of `text` (a decimal string; anything else is ignored). */
  price(product: string, text: unknown): void {
    if (typeof text === 'string') this.entry(product).price = Math.max(this.entry(product).price, width(text));
  }

  /** Widens the product's size decimals to those of `text`. */
  size(product: string, text: unknown): void {
    if (typeof text === 'string') this.entry(product).size = Math.max(this.entry(product).size, width(text));
  }

  /** The product's decimals, if any value of it was seen. */
  get(product: string): Decimals | undefined {
    return this.widths.get(product);
  }

  private entry(product: string): Decimals {
    let entry = this.widths.get(product);
    if (!entry) this.widths.set(product, (entry = { price: 0, size: 0 }));
    return entry;
  }
}

/** Printed decimals of a plain decimal string; 0 for text that is not one (it is rejected when read). */
function width(text: string): number {
  return /^-?\d+(\.\d+)?$/.test(text) ? decimalsOf(text) : 0;
}
