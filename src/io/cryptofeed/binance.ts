import { existsSync } from 'node:fs';
import { BinanceMessages } from '../binance/depth-sync.js';
import { textLines } from '../lines.js';
import type { CryptofeedVenue } from './venue.js';

/** The REST capture cryptofeed writes beside a websocket capture: `X.ws.1.0.txt` -> `X.http.0.0.txt`. */
export function httpCompanion(wsPath: string): string | null {
  const candidate = wsPath.replace(/\.ws\.\d+\.\d+(\.txt)?$/, '.http.0.0$1');
  return candidate !== wsPath && existsSync(candidate) ? candidate : null;
}

/** REST responses of an http capture: `<url> -> <time>: <json>` lines, in time order. */
async function httpResponses(path: string): Promise<{ url: string; time: string; body: string; line: number }[]> {
  const responses = [];
  for await (const [line, text] of textLines(path)) {
    const match = /^(\S+) -> (\d+(?:\.\d+)?): (.*)$/.exec(text);
    if (match) responses.push({ url: match[1]!, time: match[2]!, body: match[3]!, line });
  }
  return responses.sort((a, b) => Number(a.time) - Number(b.time));
}

/**
 * Binance spot and futures streams. Books sync from the REST snapshots cryptofeed recorded in the http
 * capture beside this one, applied where their receive time falls in the stream.
 */
export const binanceVenue: CryptofeedVenue = {
  name: 'binance',
  matches: (url) => /binance\.com/.test(url),
  async handler(context) {
    const { path, instruments, integrity } = context;
    const binance = new BinanceMessages({ path, instruments, integrity, builder: context.builder, baseSeconds: context.baseSeconds });
    const companion = httpCompanion(path);
    const snapshots = companion ? await httpResponses(companion) : [];
    if (!companion) integrity.report.note('no_http_capture_to_sync_from');
    let next = 0;
    return (message, recv, line, raw, recvText) => {
      for (; next < snapshots.length && Number(snapshots[next]!.time) <= Number(recvText); next++) {
        const response = snapshots[next]!;
        const body = JSON.parse(response.body) as Record<string, unknown>;
        const symbol = /[?&]symbol=([A-Z0-9_]+)/.exec(response.url)?.[1];
        if (symbol && body.symbol === undefined) body.symbol = symbol;
        integrity.report.note('http_snapshots');
        binance.snapshot(body, context.secondsOffset(response.time), line, response.body);
      }
      binance.stream(message as Record<string, unknown>, recv, line, raw);
    };
  },
};
