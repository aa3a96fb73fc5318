import type { TransferListItem, Worker } from 'node:worker_threads';
import { lazyModule } from '../core/lazy-module.js';

const workerThreads = lazyModule<typeof import('node:worker_threads')>('node:worker_threads');

/**
 * Starts the worker entry `entry`, a module of dist/src/io (`writer-entry.js`, `worker-entry.js`), found
 * from this module in dist/src/io as from the CLI bundle in dist/src/cli. The entry is this package's
 * plain JavaScript: it needs none of this process's Node options, and some would stop it (`--input-type`,
 * valid only for `-e`) or run again in it (a preloaded `--import`).
 */
export function startWorker(entry: string, workerData: unknown, transferList: TransferListItem[] = []): Worker {
  return new (workerThreads().Worker)(new URL(`../io/${entry}`, import.meta.url), { workerData, transferList, execArgv: [] });
}
