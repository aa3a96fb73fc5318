import { krakenChecksum } from '../kraken/checksum.js';
import { KrakenBookFeed } from '../kraken/book-feed.js';
import type { CryptofeedVenue } from './venue.js';

/** Kraken websocket v1 `book` channel, checksums verified at the subscription depth (default 10). */
export const krakenVenue: CryptofeedVenue = {
  name: 'kraken',
  matches: (url) => /kraken/.test(url),
  depthLimit(head) {
    const depth = /"subscription":\{"name":"book","depth":(\d+)\}/.exec(head)?.[1];
    return depth === undefined ? 10 : Number(depth);
  },
  checksum: krakenChecksum,
  handler(context) {
    const kraken = new KrakenBookFeed(context.builder, context.instruments, context.integrity, context.secondsOffset);
    return (message, recv, line, raw) => kraken.message(message, recv, line, raw);
  },
};
