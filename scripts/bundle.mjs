// Bundles the compiled CLI, and the decoding and writing workers, after `tsc`.
// Loading ~200 small modules costs a Node process about 0.15 s of resolving and compiling before any
// work starts; a few files cost a fraction of that. The CLI bundle is split at its dynamic imports (one
// per command, see cli/main.ts; readers and the simulator open lazily too), so a run compiles only what
// its command uses. Library users import the unbundled modules in dist/src; `bin/flowmine.js` runs the
// bundle. Paths stay valid in both: the CLI bundle and its chunks sit beside cli/main.js, and each worker
// bundle replaces its entry (io/worker-entry.js, io/writer-entry.js).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  // The pure-JS dependencies (commander, fzstd) are bundled too: resolving and loading commander's seven
  // CommonJS files cost every run about 15 ms. DuckDB (native) stays a package; CommonJS code in an ES
  // module bundle gets `require` from createRequire for the Node modules it asks for.
  packages: undefined,
  external: ['@duckdb/node-api'],
  banner: { js: "import { createRequire as __flowmineRequire } from 'node:module'; const require = __flowmineRequire(import.meta.url);" },
  entryPoints: { flowmine: 'dist/src/cli/main.js' },
  outdir: 'dist/src/cli',
  splitting: true,
  chunkNames: 'flowmine-[hash]',
});
for (const worker of ['worker-entry', 'writer-entry']) {
  await build({ ...common, entryPoints: [`dist/src/io/${worker}.js`], outfile: `dist/src/io/${worker}.js`, allowOverwrite: true });
}
