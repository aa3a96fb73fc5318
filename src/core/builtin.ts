import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A Node built-in module that is loaded when first used rather than with the module that imports it.
 * Node compiles most of its own modules when they are first required: `crypto` took ~6.5 ms of every
 * run, `worker_threads` with the streams it loads ~4 ms, `zlib` ~2 ms, `fs/promises` with `readline`
 * ~2 ms, where a replay of a dataset needs none of them. For modules a short job may not use; `T` is
 * the module's type (`typeof import('node:zlib')`).
 */
export function builtin<T>(name: `node:${string}`): () => T {
  let module: T | undefined;
  return () => (module ??= load(name) as T);
}
