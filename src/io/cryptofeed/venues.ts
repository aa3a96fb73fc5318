import { binanceVenue } from './binance.js';
import { bitmexVenue } from './bitmex.js';
import { bybitVenue } from './bybit.js';
import { coinbaseVenue } from './coinbase.js';
import { deribitVenue } from './deribit.js';
import { krakenVenue } from './kraken.js';
import type { CryptofeedVenue } from './venue.js';

/** Venues whose cryptofeed captures are read, tried in order against the capture's connection URL. */
export const cryptofeedVenues: readonly CryptofeedVenue[] = [krakenVenue, binanceVenue, bybitVenue, coinbaseVenue, bitmexVenue, deribitVenue];
