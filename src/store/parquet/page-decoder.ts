import { FlowmineError } from '../../core/errors.js';
import { wasmInstance, type WasmMemory } from '../../core/wasm-module.js';

/** wasm/parquet.ts's exports (offsets into its memory; outcomes as named there). */
interface PageExports {
  memory: WasmMemory;
  DONE: { value: number };
  CORRUPT: { value: number };
  WRONG_SIZE: { value: number };
  SHORT: { value: number };
  BEYOND: { value: number };
  WRONG_COUNT: { value: number };
  input(): number;
  page(): number;
  values(): number;
  dictionary(): number;
  produced(): number;
  badIndex(): number;
  reserve(inputBytes: number, pageBytes: number, valueCount: number, dictionarySize: number): number;
  lz4(inputBytes: number, size: number): number;
  indices(from: number, end: number, bitWidth: number, count: number, size: number): number;
  delta(from: number, end: number, count: number, base: bigint): number;
}

// The module's outcomes (wasm/parquet.ts), checked when it is loaded.
const DONE = 0;
const CORRUPT = 1;
const WRONG_SIZE = 2;
const SHORT = 3;
const BEYOND = 4;
const WRONG_COUNT = 5;

let module: PageExports | null = null;
/** The dictionary last copied into the module (a column chunk's, for each of its data pages). */
let loaded: Float64Array | null = null;
/** Where the module's dictionary area was then (it moves when a larger dictionary needs room). */
let loadedAt = -1;

function pages(): PageExports {
  if (module) return module;
  const exports = wasmInstance<PageExports>('parquet');
  const outcomes = { DONE, CORRUPT, WRONG_SIZE, SHORT, BEYOND, WRONG_COUNT };
  for (const [name, value] of Object.entries(outcomes)) {
    if (exports[name as keyof typeof outcomes].value !== value) throw new FlowmineError('dist/src/wasm/parquet.wasm does not match this build: run `npm run build`');
  }
  return (module = exports);
}

/**
 * One LZ4 block (no frame) decompressed into exactly `size` bytes. The bytes are a view of the module's
 * page area, which the next page reuses: read them before decoding another page.
 */
export function lz4Block(input: Uint8Array, size: number, where: string): Uint8Array {
  const wasm = pages();
  wasm.reserve(input.length, size, 0, 0);
  new Uint8Array(wasm.memory.buffer, wasm.input(), input.length).set(input);
  const outcome = wasm.lz4(input.length, size);
  if (outcome === CORRUPT) throw new FlowmineError(`${where}: corrupt LZ4 block`);
  if (outcome === WRONG_SIZE) throw new FlowmineError(`${where}: LZ4 page is ${wasm.produced()} bytes, expected ${size}`);
  return new Uint8Array(wasm.memory.buffer, wasm.page(), size);
}

/**
 * RLE_DICTIONARY indices (the RLE / bit-packed hybrid of `data[0]` bits, after that width byte) looked up
 * in `dictionary`, `count` values into `out` from `outAt`.
 */
export function dictionaryValues(data: Uint8Array, count: number, dictionary: Float64Array, out: Float64Array, outAt: number, where: string): void {
  const bitWidth = data[0]!;
  if (bitWidth > 32) throw new FlowmineError(`${where}: dictionary index width ${bitWidth}`);
  const wasm = pages();
  // A page decompressed by lz4Block is in the module already (its offset stays valid when the memory grows).
  const inModule = data.buffer === wasm.memory.buffer;
  const offset = inModule ? data.byteOffset : 0;
  wasm.reserve(inModule ? 0 : data.length, 0, count, dictionary.length);
  if (loaded !== dictionary || loadedAt !== wasm.dictionary()) {
    new Float64Array(wasm.memory.buffer, wasm.dictionary(), dictionary.length).set(dictionary);
    loaded = dictionary;
    loadedAt = wasm.dictionary();
  }
  let from = offset;
  if (!inModule) {
    from = wasm.input();
    new Uint8Array(wasm.memory.buffer, from, data.length).set(data);
  }
  const outcome = wasm.indices(from + 1, from + data.length, bitWidth, count, dictionary.length);
  if (outcome === SHORT) throw new FlowmineError(`${where}: dictionary indices end after ${wasm.produced()} of ${count} values`);
  if (outcome === BEYOND) throw new FlowmineError(`${where}: dictionary index ${wasm.badIndex()} beyond ${dictionary.length}`);
  out.set(new Float64Array(wasm.memory.buffer, wasm.values(), count), outAt);
}

/**
 * DELTA_BINARY_PACKED values (INT32 or INT64), each minus `base`, `count` of them into `out` from `outAt`:
 * a difference beyond 2^53 is rounded once, to the double an EventBatch held when the part was written.
 */
export function deltaValues(data: Uint8Array, count: number, base: bigint, out: Float64Array, outAt: number, where: string): void {
  const wasm = pages();
  const inModule = data.buffer === wasm.memory.buffer;
  const length = data.length;
  let from = data.byteOffset;
  wasm.reserve(inModule ? 0 : length, 0, count, 0);
  if (!inModule) {
    from = wasm.input();
    new Uint8Array(wasm.memory.buffer, from, length).set(data);
  }
  const outcome = wasm.delta(from, from + length, count, base);
  if (outcome === WRONG_COUNT) throw new FlowmineError(`${where}: delta page holds ${wasm.produced()} values, expected ${count}`);
  if (outcome === SHORT) throw new FlowmineError(`${where}: delta page ends after ${wasm.produced()} of ${count} values`);
  if (outcome === CORRUPT) throw new FlowmineError(`${where}: delta page with a damaged header or bit width`);
  out.set(new Float64Array(wasm.memory.buffer, wasm.values(), count), outAt);
}
