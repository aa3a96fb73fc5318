// Bundles the compiled CLI, and the decoding and writing workers, after `tsc`.
// Loading ~200 small modules costs a Node process about 0.15 s of resolving and compiling before any
// work starts; one file costs a fraction of that. The CLI is one CommonJS bundle,
// `dist/src/cli/flowmine.cjs` (the module's wrapper function included), which `bin/flowmine.js` compiles
// with a V8 code cache (see there): a script can be given one, an ES module cannot (Node 20). Commands,
// readers and the simulator are still imported lazily (cli/main.ts): in the bundle that defers running
// their modules' top level.
// Library users import the unbundled modules in dist/src; both paths run the same compiled code. Paths
// stay valid in both: the CLI bundle sits beside cli/main.js, and each worker bundle replaces its entry
// (io/worker-entry.js, io/writer-entry.js).
import { build } from 'esbuild';

/**
 * commander requires `child_process` when loaded, for subcommands that are programs of their own, which
 * flowmine has none of: loading it (with `net`, `dgram` and more) cost every run about 4 ms. Here it gets
 * the module when it first uses it.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({ contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });", loader: 'js' }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  format: 'cjs',
  // The source stays in memory, as a string: without whitespace and comments, and ASCII only (other
  // characters escaped, so V8 keeps it in a byte a character, not two), 0.84 MB against 2.5. Held whole
  // it made every run's heap, and its collector's limits, grow: peak memory of a replay of AMZN ×18 was
  // 15 MB above the ES module bundle's, now 4.5 MB.
  charset: 'ascii',
  minifyWhitespace: true,
  // The pure-JS dependencies (commander, fzstd) are bundled too: resolving and loading commander's seven
  // CommonJS files cost every run about 15 ms. DuckDB (native) stays a package, required when first used:
  // dynamic imports become requires (a script's `import()` needs a loader that Node 20 calls experimental).
  external: ['@duckdb/node-api'],
  supported: { 'dynamic-import': false },
  // The modules find their files (workers, scenarios, package.json) from their own URL: the bundle's.
  define: { 'import.meta.url': '__flowmineUrl' },
  // The file is the function Node would wrap a CommonJS module in (bin/flowmine.js calls it): V8 then
  // compiles the file's text as it is read, where a wrapper added at run time made a second copy of it.
  // Strict mode, as the ES modules it was built from: the directive must open the function's body.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {'use strict';\nvar __flowmineUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/src/cli/flowmine.cjs',
  plugins: [lazyChildProcess],
});
for (const worker of ['worker-entry', 'writer-entry']) {
  await build({ ...common, format: 'esm', packages: 'external', entryPoints: [`dist/src/io/${worker}.js`], outfile: `dist/src/io/${worker}.js`, allowOverwrite: true });
}
