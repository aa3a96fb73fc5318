import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A module loaded when first used rather than with the module that imports it: `T` is its type
 * (`typeof import('node:zlib')`). For what a short job may not use. Node compiles most of its own modules
 * when they are first required: `crypto` took ~6.5 ms of every run, `worker_threads` with the streams it
 * loads ~4 ms, `zlib` ~2 ms, `fs/promises` with `readline` ~2 ms, where a replay of a dataset needs none of
 * them; a package (the progress bar's) is found and compiled only for a run that draws one.
 */
export function lazyModule<T>(name: string): () => T {
  let module: T | undefined;
  return () => (module ??= load(name) as T);
}
