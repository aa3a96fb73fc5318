#!/usr/bin/env node
// Runs the CLI bundle (scripts/bundle.mjs) with a V8 code cache: compiling the bundle's functions from
// source took every run some 30 ms (and 110 M instructions) before any work. A cache holds the functions
// one run compiled, so each command keeps its own for each kind of input (its first input's extensions:
// a LOBSTER `.csv` and a Binance `.jsonl.gz` are read by different code), written after the first such run
// (or when V8 refuses the one there: a new Node, other V8 flags) in `dist/cli-cache/`. `npm run build`
// removes it with `dist/`, and a cache is named for the bundle's modification time. Where that folder
// cannot be written (an install owned by another user) the CLI runs without a cache, as before.
// FLOWMINE_CODE_CACHE names another folder for the caches, or `off`.
//
// This file is CommonJS (bin/package.json says so): an ES module entry point made Node load its ES module
// loader first, about 6 ms of every run.
'use strict';
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, join } = require('node:path');
const { Script } = require('node:vm');

// With FLOWMINE_DEBUG the unbundled modules run instead: an internal error's stack trace then names them
// (the bundle's lines are long: its whitespace and comments are left out).
if (process.env.FLOWMINE_DEBUG) import('../dist/src/cli/main.js').then((cli) => cli.main(process.argv)).then((code) => process.exit(code));
else runBundle();

function runBundle() {
  const folder = join(__dirname, '..', 'dist', 'src', 'cli');
  const bundle = join(folder, 'flowmine.cjs');
  const command = /^[a-z][a-z-]{0,30}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const input = process.argv.slice(3).find((arg) => !arg.startsWith('-')) ?? '';
  const kind = (/(\.[a-z0-9]{1,8}){1,2}$/i.exec(basename(input))?.[0] ?? '').toLowerCase();
  // Outside dist/src, which the package publishes.
  const cacheFolder = process.env.FLOWMINE_CODE_CACHE || join(__dirname, '..', 'dist', 'cli-cache');
  const caching = cacheFolder !== 'off';
  const cachePath = join(cacheFolder, `${command}${kind}-${Math.round(statSync(bundle).mtimeMs)}.v8`);
  let cachedData;
  try {
    cachedData = caching ? readFileSync(cachePath) : undefined;
  } catch {
    cachedData = undefined;
  }
  // The bundle is the function Node wraps a CommonJS module in (of exports, require, module…), in ASCII:
  // read as Latin-1, the text is copied once, as V8 keeps it.
  const script = new Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData });
  const cli = { exports: {} };
  script.runInThisContext()(cli.exports, createRequire(bundle), cli, bundle, folder);
  cli.exports.main(process.argv).then((code) => {
    if (caching && (cachedData === undefined || script.cachedDataRejected)) saveCache(script, cacheFolder, cachePath);
    // Exits as soon as the command is done: every output has been written synchronously by then, and a
    // natural exit would first wait for the tasks queued on V8's background threads (10–30 ms here).
    process.exit(code);
  });
}

/** Writes the code cache, whole or not at all (a concurrent run may be reading it). */
function saveCache(script, cacheFolder, cachePath) {
  const partial = `${cachePath}.${process.pid}`;
  try {
    mkdirSync(cacheFolder, { recursive: true });
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cachePath);
  } catch {
    // No cache, then: the next run compiles from source, as this one did.
  }
}
