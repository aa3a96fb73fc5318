// Bundles the compiled CLI, and the decoding worker, after `tsc`.
// Loading ~200 small modules costs a Node process about 0.15 s of resolving and compiling before any
// work starts; a few files cost a fraction of that. The CLI bundle is split at its dynamic imports (one
// per command, see cli/main.ts; readers and the simulator open lazily too), so a run compiles only what
// its command uses. Library users import the unbundled modules in dist/src; `bin/flowmine.js` runs the
// bundle. Paths stay valid in both: the CLI bundle and its chunks sit beside cli/main.js, and the worker
// bundle replaces io/worker-entry.js.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: { flowmine: 'dist/src/cli/main.js' },
  outdir: 'dist/src/cli',
  splitting: true,
  chunkNames: 'flowmine-[hash]',
});
await build({ ...common, entryPoints: ['dist/src/io/worker-entry.js'], outfile: 'dist/src/io/worker-entry.js', allowOverwrite: true });
