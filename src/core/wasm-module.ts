import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowmineError } from './errors.js';

// Node 20 has WebAssembly; neither TypeScript's ES2022 library nor @types/node 20 declare it.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

/** A WebAssembly memory, as an instance exports it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` of 64 KiB. Detaches `buffer`: every view of the old one is empty afterwards. */
  grow(pages: number): number;
}

const compiled = new Map<string, object>();

/**
 * The exports of a new instance of the WebAssembly module `name` (dist/src/wasm/NAME.wasm, built from
 * wasm/NAME.ts), found from this module in dist/src/core as from the CLI bundle in dist/src/cli. The module
 * is compiled once a process; each instance has a memory of its own. `Exports` is the caller's
 * description of the module's exports; `imports` are the functions it imports, by module and name.
 */
export function wasmInstance<Exports extends object>(name: string, imports: object = {}): Exports {
  let module = compiled.get(name);
  if (!module) {
    const url = new URL(`../wasm/${name}.wasm`, import.meta.url);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(url);
    } catch {
      throw new FlowmineError(`${fileURLToPath(url)}: missing: the WebAssembly modules are built by \`npm run build\``);
    }
    module = new WebAssembly.Module(bytes);
    compiled.set(name, module);
  }
  return new WebAssembly.Instance(module, imports).exports as Exports;
}
