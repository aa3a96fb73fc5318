import { binanceVenue } from './binance.js';
import { krakenVenue } from './kraken.js';
import type { CryptofeedVenue } from './venue.js';

/** Venues whose cryptofeed captures are read, tried in order against the capture's connection URL. */
export const cryptofeedVenues: readonly CryptofeedVenue[] = [krakenVenue, binanceVenue];
