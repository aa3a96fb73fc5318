import { zlibCrc32 } from '../crc32.js';
import type { BookChecksum, LevelsView } from '../../core/source.js';
import type { Instrument } from '../../core/instrument.js';

/**
 * Kraken's book checksum (websocket v1 `c`): CRC32 of the text made of the top ten asks (lowest first)
 * then the top ten bids (highest first), each as price then volume, every number written with the pair's
 * decimals, the decimal point removed and leading zeros stripped.
 */
export const krakenChecksum: BookChecksum = {
  name: 'kraken',
  compute(book: LevelsView, instrument: Instrument): number {
    const printed = instrument.printDecimals ?? { price: instrument.priceDecimals, size: instrument.sizeDecimals };
    let text = '';
    for (const side of [-1, 1]) {
      const levels = Math.min(10, book.depth(side));
      for (let rank = 0; rank < levels; rank++) {
        text += digits(book.priceAt(side, rank), instrument.priceDecimals, printed.price) + digits(book.sizeAt(side, rank), instrument.sizeDecimals, printed.size);
      }
    }
    return zlibCrc32(text);
  },
};

/**
 * Units of 10^-decimals printed as the venue does, with `printed` decimals, then the point removed and
 * leading zeros stripped ("0.04299" -> "4299"; 354.15 printed with 8 decimals -> "35415000000").
 */
function digits(units: number, decimals: number, printed: number): string {
  const text = String(units).padStart(decimals + 1, '0') + '0'.repeat(printed - decimals);
  return text.replace(/^0+/, '') || '0';
}
