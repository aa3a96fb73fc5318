// Bundles the compiled CLI into one module, and the decoding worker into another, after `tsc`.
// Loading ~200 small modules costs a Node process about 0.15 s of resolving and compiling before any
// work starts; one file per thread costs a fraction of that. Library users import the unbundled
// modules in dist/src; `bin/flowmine.js` runs the bundle. Paths stay valid in both: the CLI bundle sits
// beside cli/main.js, and the worker bundle replaces io/worker-entry.js.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['dist/src/cli/main.js'], outfile: 'dist/src/cli/flowmine.js' });
await build({ ...common, entryPoints: ['dist/src/io/worker-entry.js'], outfile: 'dist/src/io/worker-entry.js', allowOverwrite: true });
