import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { BookEmitter, emitColumns } from '../book/emit.js';
import { Replayer } from '../book/replay.js';
import type { BookView } from '../book/view.js';
import { openSource } from '../io/index.js';
import { openTableWriter } from '../io/table/open.js';
import { DEFAULT_ZI, runZeroIntelligence } from '../sim/zero-intelligence.js';
import { inspect } from './inspect.js';
import { Progress } from './progress.js';

const LEVELS = 10;
const EMPTY_ASK = '9999999999,0';
const EMPTY_BID = '-9999999999,0';

/**
 * `flowmine demo`: the whole pipeline on built-in data, no network, no external files. A seeded
 * zero-intelligence market writes LOBSTER message and orderbook files; flowmine sniffs them, rebuilds
 * the book and checks it against the engine after every message, then writes BBO and depth outputs.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('simulate a market, write it as LOBSTER files, rebuild the book from them and check it against the engine')
    .option('--out <dir>', 'folder for the demo files', 'flowmine-demo')
    .option('--messages <n>', 'messages to simulate', String(DEFAULT_ZI.messages))
    .option('--seed <n>', 'random seed', String(DEFAULT_ZI.seed))
    .action(async (options: { out: string; messages: string; seed: string }) => {
      const dir = resolve(options.out);
      mkdirSync(dir, { recursive: true });
      const messagePath = join(dir, 'DEMO_2024-01-02_34200000_57600000_message_10.csv');
      const orderbookPath = messagePath.replace('_message_', '_orderbook_');
      const messages = Number(options.messages);
      const seed = Number(options.seed);
      if (!Number.isInteger(messages) || messages < 1) throw new UsageError(`--messages ${options.messages}: expected a positive whole number`);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed ${options.seed}: expected a whole number`);

      // 1. Simulate: every message with the engine's true top 10 after it.
      let started = performance.now();
      const messageFd = openSync(messagePath, 'w');
      const orderbookFd = openSync(orderbookPath, 'w');
      const progress = new Progress('simulate');
      let pending: string[] = [];
      let pendingBook: string[] = [];
      runZeroIntelligence({ ...DEFAULT_ZI, messages, seed }, (message, book) => {
        const seconds = Math.floor(message.timeNs / 1e9);
        pending.push(`${seconds}.${String(message.timeNs - seconds * 1e9).padStart(9, '0')},${message.type},${message.orderId},${message.size},${message.price},${message.direction}`);
        pendingBook.push(topLevels(book));
        if (pending.length === 10_000) {
          writeSync(messageFd, pending.join('\n') + '\n');
          writeSync(orderbookFd, pendingBook.join('\n') + '\n');
          progress.add(pending.length);
          pending = [];
          pendingBook = [];
        }
      });
      writeSync(messageFd, pending.length ? pending.join('\n') + '\n' : '');
      writeSync(orderbookFd, pendingBook.length ? pendingBook.join('\n') + '\n' : '');
      closeSync(messageFd);
      closeSync(orderbookFd);
      progress.stop();
      const simulateSeconds = (performance.now() - started) / 1000;

      // 2. Rebuild from the message file alone and compare with the engine's book after every message.
      started = performance.now();
      const bare = await openSource(messagePath, { companion: false });
      const expected = readFileSync(orderbookPath, 'latin1').split('\n');
      let compared = 0;
      let matched = 0;
      const replayer = new Replayer(bare.granularity, bare.integrity);
      const checkProgress = new Progress('rebuild');
      for await (const batch of bare.batches()) {
        replayer.push(batch, (book) => {
          if (topLevels(book) === expected[compared++]) matched++;
        });
        checkProgress.add(batch.length);
      }
      checkProgress.stop();
      const rebuildSeconds = (performance.now() - started) / 1000;

      // 3. The user-facing outputs: best bid/offer per update, 10-level depth every second, and the inspection.
      const source = await openSource(messagePath);
      const bbo = openTableWriter(join(dir, 'bbo.csv'), emitColumns({ kind: 'bbo' }, false));
      const depth = openTableWriter(join(dir, 'depth10-1s.parquet'), emitColumns({ kind: 'depth', levels: LEVELS }, false));
      const bboEmitter = new BookEmitter(bbo, { kind: 'bbo' }, source.instruments, false);
      const depthEmitter = new BookEmitter(depth, { kind: 'depth', levels: LEVELS }, source.instruments, false, 1e9);
      const writer = new Replayer(source.granularity, source.integrity);
      for await (const batch of source.batches()) {
        writer.push(batch, (book, b, row, instrument) => {
          bboEmitter.onUpdate(book, b, row, instrument);
          depthEmitter.onUpdate(book, b, row, instrument);
        });
      }
      depthEmitter.finish();
      await bbo.close();
      await depth.close();
      const inspection = await inspect(await openSource(messagePath));

      const out = process.stdout;
      out.write(`simulated ${messages.toLocaleString('en-US')} messages (zero-intelligence flow, seed ${options.seed}) in ${simulateSeconds.toFixed(2)} s\n`);
      out.write(`  ${(inspection.actions.Add ?? 0).toLocaleString('en-US')} limit orders, ${(inspection.actions.Delete ?? 0).toLocaleString('en-US')} cancels, ${(inspection.actions.Fill ?? 0).toLocaleString('en-US')} fills\n`);
      out.write(`rebuilt the L3 book from the message file in ${rebuildSeconds.toFixed(2)} s: top ${LEVELS} levels equal the engine's after ${matched.toLocaleString('en-US')} of ${compared.toLocaleString('en-US')} messages\n`);
      out.write(`  time range ${inspection.firstEventTime} .. ${inspection.lastEventTime}; ${inspection.replay.openOrders.toLocaleString('en-US')} orders rest at the end; crossed after ${inspection.replay.crossedUpdates} updates\n`);
      out.write(`wrote ${dir}/\n  ${messagePath.slice(dir.length + 1)}, ${orderbookPath.slice(dir.length + 1)}\n  bbo.csv (${bbo.rows.toLocaleString('en-US')} rows), depth10-1s.parquet (${depth.rows.toLocaleString('en-US')} rows)\n`);
      out.write(`next: npx flowmine inspect ${messagePath}\n`);
      if (matched !== compared) process.exitCode = 1;
    });
}

/** The top ten levels in LOBSTER orderbook layout, as text. */
function topLevels(book: BookView): string {
  const cells: string[] = [];
  for (let rank = 0; rank < LEVELS; rank++) {
    cells.push(rank < book.depth(-1) ? `${book.priceAt(-1, rank)},${book.sizeAt(-1, rank)}` : EMPTY_ASK);
    cells.push(rank < book.depth(1) ? `${book.priceAt(1, rank)},${book.sizeAt(1, rank)}` : EMPTY_BID);
  }
  return cells.join(',');
}
