import { decimalsOf, parseUnits } from '../../core/decimal.js';
import { textLines } from '../lines.js';
import type { JsonlHeader } from './exchange.js';
import { ProductDecimals } from './product-decimals.js';

/** How one product's prices and sizes are held, and where that was learnt. */
export interface ProductSpec {
  priceDecimals: number;
  sizeDecimals: number;
  /** The price increment in price units (1 when the increment is not known). */
  tickUnits: number;
  from: 'products' | 'capture';
}

type Json = Record<string, unknown>;

/**
 * Coinbase Advanced Trade products (`/api/v3/brokerage/market/products`, or an array of products) as
 * specs: price decimals those of `quote_increment` (or of `price_increment`, if it has more), size
 * decimals those of `base_increment`, the tick `price_increment` in price units. Adds the products not
 * in `into` yet; returns how many, or null when the body is not a products response.
 */
export function specsFromProducts(body: unknown, into: Map<string, ProductSpec>): number | null {
  const list = Array.isArray(body) ? body : (body as Json | null)?.products;
  if (!Array.isArray(list)) return null;
  let added = 0;
  for (const product of list as Json[]) {
    const id = product?.product_id;
    const quote = significantDecimals(product?.quote_increment);
    const base = significantDecimals(product?.base_increment);
    if (typeof id !== 'string' || quote === null || base === null || into.has(id)) continue;
    const priceDecimals = Math.max(quote, significantDecimals(product.price_increment) ?? 0);
    const tick = parseUnits(String(product.price_increment ?? product.quote_increment), priceDecimals);
    into.set(id, { priceDecimals, sizeDecimals: base, tickUnits: tick > 0 ? tick : 0, from: 'products' });
    added++;
  }
  return added;
}

/** Decimals of a positive decimal string without its trailing zeros ("0.010" -> 2, "1" -> 0), or null. */
function significantDecimals(text: unknown): number | null {
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text) || !(Number(text) > 0)) return null;
  return decimalsOf(text.includes('.') ? text.replace(/0+$/, '') : text);
}

/** The products of the capture's configuration (every channel's product list in the header). */
function configuredProducts(header: JsonlHeader): Set<string> {
  const products = new Set<string>();
  for (const list of Object.values(header.config ?? {})) if (Array.isArray(list)) for (const product of list) if (typeof product === 'string') products.add(product);
  return products;
}

/**
 * The specs a capture's Coinbase products responses give, read from the REST records before its first
 * websocket message. When they leave out a product of the header's configuration (or there is none),
 * the capture is read once more and every product they leave out gets the widest decimals the capture
 * prints for it (`from: 'capture'`). With increments known, a value finer than them is rejected, never rounded.
 */
export async function coinbaseProductSpecs(path: string, header: JsonlHeader): Promise<Map<string, ProductSpec>> {
  const specs = new Map<string, ProductSpec>();
  for await (const [, text] of textLines(path)) {
    if (text.startsWith('{"t":"recv"')) break;
    if (!text.includes('"t":"http"')) continue;
    try {
      const record = JSON.parse(text) as Json;
      if (record.t === 'http' && typeof record.data === 'string') specsFromProducts(JSON.parse(record.data), specs);
    } catch {
      // The reader rejects the record with its line.
    }
  }
  if ([...configuredProducts(header)].every((product) => specs.has(product)) && specs.size > 0) return specs;
  const widths = await capturedWidths(path);
  for (const [product, decimals] of widths) if (!specs.has(product)) specs.set(product, { priceDecimals: decimals.price, sizeDecimals: decimals.size, tickUnits: 0, from: 'capture' });
  return specs;
}

/** The widest decimals each product's prices and sizes are printed with in the capture's websocket messages. */
async function capturedWidths(path: string): Promise<Map<string, { price: number; size: number }>> {
  const decimals = new ProductDecimals();
  const seen = new Set<string>();
  for await (const [, text] of textLines(path)) {
    if (!text.includes('"t":"recv"')) continue;
    let m: Json;
    try {
      m = JSON.parse((JSON.parse(text) as Json).data as string) as Json;
    } catch {
      continue;
    }
    if (!Array.isArray(m?.events)) continue;
    for (const event of m.events as Json[]) {
      if (m.channel === 'l2_data' && typeof event?.product_id === 'string' && Array.isArray(event.updates)) {
        seen.add(event.product_id);
        for (const update of event.updates as Json[]) {
          decimals.price(event.product_id, update?.price_level);
          decimals.size(event.product_id, update?.new_quantity);
        }
      } else if (m.channel === 'market_trades' && Array.isArray(event?.trades)) {
        for (const trade of event.trades as Json[]) {
          if (typeof trade?.product_id !== 'string') continue;
          seen.add(trade.product_id);
          decimals.price(trade.product_id, trade.price);
          decimals.size(trade.product_id, trade.size);
        }
      } else if (m.channel === 'ticker' && Array.isArray(event?.tickers)) {
        for (const ticker of event.tickers as Json[]) {
          if (typeof ticker?.product_id !== 'string') continue;
          seen.add(ticker.product_id);
          for (const key of ['price', 'best_bid', 'best_ask']) decimals.price(ticker.product_id, ticker[key]);
          for (const key of ['best_bid_quantity', 'best_ask_quantity']) decimals.size(ticker.product_id, ticker[key]);
        }
      }
    }
  }
  const widths = new Map<string, { price: number; size: number }>();
  for (const product of seen) widths.set(product, decimals.get(product) ?? { price: 0, size: 0 });
  return widths;
}
