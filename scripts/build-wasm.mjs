// Compiles the WebAssembly modules (wasm/*.ts, AssemblyScript) into dist/src/wasm/, where
// src/core/wasm-module.ts finds them from the unbundled modules and from the CLI bundle alike.
import { mkdirSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const modules = [
  // 48 pages (3 MiB): the module's own columns (1.8 MB), then a read chunk (1 MiB) without growing the memory.
  { source: 'wasm/lobster.ts', out: 'dist/src/wasm/lobster.wasm', pages: 48 },
  // 20 pages (1.25 MiB): a block of the tape (256 KiB), the output (512 KiB), the cells of the row above.
  { source: 'wasm/csv-rows.ts', out: 'dist/src/wasm/csv-rows.wasm', pages: 20 },
  // 64 pages (4 MiB) to start: every book of the process, on a heap that frees (TLSF: the 'minimal'
  // runtime, whose collector never runs, as the module allocates nothing managed). An L3 book's first
  // arrays take 0.4 MB, an L2 book's 50 KB.
  { source: 'wasm/book.ts', out: 'dist/src/wasm/book.wasm', pages: 64, runtime: 'minimal' },
  // 64 pages (4 MiB): the areas of a dataset's pages (a group of 32,768 rows: 256 KiB of values a column),
  // moved to the end of the memory, larger, when a page needs more.
  { source: 'wasm/parquet.ts', out: 'dist/src/wasm/parquet.wasm', pages: 64 },
];
mkdirSync('dist/src/wasm', { recursive: true });
for (const { source, out, pages, runtime = 'stub' } of modules) {
  const { error, stderr } = await asc.main([source, '--outFile', out, '-O3', '--noAssert', '--runtime', runtime, '--use', 'abort=', '--initialMemory', String(pages)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`${source}: ${error.message}`);
    process.exit(1);
  }
}
