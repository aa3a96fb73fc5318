import { existsSync } from 'node:fs';
import { captureDecimals } from '../binance/capture-scan.js';
import { DecimalsSeen, HEAD_SCAN_BYTES } from '../binance/decimals.js';
import { BinanceMessages } from '../binance/depth-sync.js';
import { textLines } from '../lines.js';
import type { CryptofeedVenue, MessageHandler } from './venue.js';

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

/** The symbol a REST depth request names (`…/depth?symbol=BTCUSDT&limit=1000`). */
function urlSymbol(url: string): string | undefined {
  return /[?&]symbol=([A-Z0-9_]+)/.exec(url)?.[1];
}

/** The market a connection URL serves: stream.binance.com spot, fstream USD-M, dstream COIN-M. */
function marketOf(url: string): 'spot' | 'usdm' | 'coinm' | undefined {
  const host = /^wss?:\/\/([^/:]+)/.exec(url)?.[1] ?? '';
  return host.startsWith('fstream') ? 'usdm' : host.startsWith('dstream') ? 'coinm' : host.startsWith('stream') ? 'spot' : undefined;
}

/**
 * Per symbol, the fewest decimals holding every price and quantity of the whole http capture (the REST
 * snapshots: the resting book, deep) and of the first HEAD_SCAN_BYTES of the websocket capture.
 */
async function cryptofeedDecimals(wsPath: string, companion: string | null): Promise<DecimalsSeen> {
  const seen = new DecimalsSeen();
  if (companion) {
    seen.budget = Infinity;
    await seen.scan(companion, (text) => {
      const match = /^(\S+) -> \S+: (\{.*)$/.exec(text);
      if (!match) return;
      try {
        seen.message(JSON.parse(match[2]!), urlSymbol(match[1]!));
      } catch {
        // Not JSON: the handler reports it when the snapshot is applied.
      }
    });
  }
  seen.budget = HEAD_SCAN_BYTES;
  return await captureDecimals(wsPath, seen);
}

/**
 * Binance spot and futures streams. Books sync from the REST snapshots cryptofeed recorded in the http
 * capture beside this one, applied where their receive time falls in the stream. Each symbol's units are
 * fixed before the first row from the whole http capture and the start of the websocket capture.
 */
export const binanceVenue: CryptofeedVenue = {
  name: 'binance',
  matches: (url) => /binance\.com/.test(url),
  async handler(context) {
    const { path, instruments, integrity } = context;
    const companion = httpCompanion(path);
    const decimals = await cryptofeedDecimals(path, companion);
    const binance = new BinanceMessages({
      path,
      instruments,
      integrity,
      builder: context.builder,
      baseSeconds: context.baseSeconds,
      decimalsOf: (symbol) => decimals.get(symbol),
      market: marketOf(context.url),
    });
    const snapshots = companion ? await httpResponses(companion) : [];
    if (!companion) integrity.report.note('no_http_capture_to_sync_from');
    let next = 0;
    const handle: MessageHandler = (message, recv, line, raw, recvText) => {
      for (; next < snapshots.length && Number(snapshots[next]!.time) <= Number(recvText); next++) {
        const response = snapshots[next]!;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(response.body) as Record<string, unknown>;
        } catch {
          // The http lines are not rows of this capture: a bad one is counted as one, so the account balances.
          integrity.report.rowsRead++;
          integrity.reject('malformed_row', response.line, 'json', 'not valid JSON', response.body, companion!);
          continue;
        }
        const symbol = urlSymbol(response.url);
        if (symbol && body.symbol === undefined) body.symbol = symbol;
        integrity.report.note('http_snapshots');
        binance.snapshot(body, context.secondsOffset(response.time), line, response.body);
      }
      binance.stream(message as Record<string, unknown>, recv, line, raw);
    };
    handle.finish = () => binance.finish();
    return handle;
  },
};
