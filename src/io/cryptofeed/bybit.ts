import { LegacyFeed } from '../bybit/legacy-feed.js';
import type { CryptofeedVenue } from './venue.js';

/**
 * Bybit's legacy public websocket (`stream.bybit.com/realtime_public` and `/realtime`): `orderBookL2_25`
 * (or `orderBook_200`) books of id-keyed levels and `trade` prints, read by LegacyFeed. Books are kept to
 * the subscribed depth (25 for `orderBookL2_25`), as Bybit keeps them.
 */
export const bybitVenue: CryptofeedVenue = {
  name: 'bybit',
  matches: (url) => /bybit\.com\/realtime/.test(url),
  depthLimit(head) {
    const depth = /"args":\["(?:orderBookL2_(\d+)|orderBook_(\d+)\.\d+ms)\./.exec(head);
    return depth ? Number(depth[1] ?? depth[2]) : undefined;
  },
  handler(context) {
    const feed = new LegacyFeed({ instruments: context.instruments, integrity: context.integrity, builder: context.builder, baseSeconds: context.baseSeconds });
    return (message, recv, line, raw) => feed.message(message, recv, line, raw);
  },
};
