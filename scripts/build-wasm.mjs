// Compiles the WebAssembly modules (wasm/*.ts, AssemblyScript) into dist/src/io/wasm/, where
// src/io/wasm-module.ts finds them from the unbundled modules and from the CLI bundle alike.
import { mkdirSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const modules = [
  // 48 pages (3 MiB): the module's own columns (1.8 MB), then a read chunk (1 MiB) without growing the memory.
  { source: 'wasm/lobster.ts', out: 'dist/src/io/wasm/lobster.wasm', pages: 48 },
  // 20 pages (1.25 MiB): a block of the tape (256 KiB), the output (512 KiB), the cells of the row above.
  { source: 'wasm/csv-rows.ts', out: 'dist/src/io/wasm/csv-rows.wasm', pages: 20 },
];
mkdirSync('dist/src/io/wasm', { recursive: true });
for (const { source, out, pages } of modules) {
  const { error, stderr } = await asc.main([source, '--outFile', out, '-O3', '--noAssert', '--runtime', 'stub', '--initialMemory', String(pages)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`${source}: ${error.message}`);
    process.exit(1);
  }
}
