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
  plain(from: number, end: number, count: number, wide: number, base: bigint, toDictionary: number): number;
  narrow(count: number): void;
}

/** Where decoded values go: doubles, or bytes for the event model's one-byte columns (their low 8 bits, as these arrays keep numbers). */
export type ValueColumn = Float64Array | Uint8Array | Int8Array;

// The module's outcomes (wasm/parquet.ts), checked when it is loaded.
const DONE = 0;
const CORRUPT = 1;
const WRONG_SIZE = 2;
const SHORT = 3;
const BEYOND = 4;
const WRONG_COUNT = 5;

let module: PageExports | null = null;

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
 * The bytes of `data` where the module reads them, after room is reserved for `valueCount` values and a
 * dictionary of `dictionarySize`: a page decompressed by lz4Block is there already (its offset stays valid
 * when the memory grows), other bytes are copied to the input area. Returns where they start.
 */
function inModule(wasm: PageExports, data: Uint8Array, valueCount: number, dictionarySize: number): number {
  const there = data.buffer === wasm.memory.buffer;
  const at = data.byteOffset;
  wasm.reserve(there ? 0 : data.length, 0, valueCount, dictionarySize);
  if (there) return at;
  new Uint8Array(wasm.memory.buffer, wasm.input(), data.length).set(data);
  return wasm.input();
}

/**
 * PLAIN INT32 or INT64 (`wide`) values, INT64 ones minus `base` (rounded once beyond 2^53, to the double an
 * EventBatch held), `count` of them into `out` from `outAt`.
 */
export function plainValues(data: Uint8Array, count: number, wide: boolean, base: bigint, out: ValueColumn, outAt: number, where: string): void {
  const wasm = pages();
  const length = data.length;
  const from = inModule(wasm, data, count, 0);
  if (wasm.plain(from, from + length, count, wide ? 1 : 0, base, 0) === SHORT) throw new FlowmineError(`${where}: PLAIN page shorter than its ${count} values`);
  copyValues(wasm, count, out, outAt);
}

/**
 * Decodes a column chunk's dictionary page (PLAIN values, as `plainValues`) into the module, where the
 * chunk's dictionary-encoded pages that follow look their indices up (`dictionaryValues`).
 */
export function loadDictionary(data: Uint8Array, count: number, wide: boolean, base: bigint, where: string): void {
  const wasm = pages();
  const length = data.length;
  const from = inModule(wasm, data, 0, count);
  if (wasm.plain(from, from + length, count, wide ? 1 : 0, base, 1) === SHORT) throw new FlowmineError(`${where}: dictionary page shorter than its ${count} values`);
}

/**
 * RLE_DICTIONARY indices (the RLE / bit-packed hybrid of `data[0]` bits, after that width byte) looked up
 * in the dictionary of `size` values loaded last (`loadDictionary`), `count` values into `out` from `outAt`.
 */
export function dictionaryValues(data: Uint8Array, count: number, size: number, out: ValueColumn, outAt: number, where: string): void {
  const bitWidth = data[0]!;
  if (bitWidth > 32) throw new FlowmineError(`${where}: dictionary index width ${bitWidth}`);
  const wasm = pages();
  const length = data.length;
  const from = inModule(wasm, data, count, 0);
  const outcome = wasm.indices(from + 1, from + length, bitWidth, count, size);
  if (outcome === SHORT) throw new FlowmineError(`${where}: dictionary indices end after ${wasm.produced()} of ${count} values`);
  if (outcome === BEYOND) throw new FlowmineError(`${where}: dictionary index ${wasm.badIndex()} beyond ${size}`);
  copyValues(wasm, count, out, outAt);
}

/**
 * DELTA_BINARY_PACKED values (INT32 or INT64), each minus `base`, `count` of them into `out` from `outAt`:
 * a difference beyond 2^53 is rounded once, to the double an EventBatch held when the part was written.
 */
export function deltaValues(data: Uint8Array, count: number, base: bigint, out: ValueColumn, outAt: number, where: string): void {
  const wasm = pages();
  const length = data.length;
  const from = inModule(wasm, data, count, 0);
  const outcome = wasm.delta(from, from + length, count, base);
  if (outcome === WRONG_COUNT) throw new FlowmineError(`${where}: delta page holds ${wasm.produced()} values, expected ${count}`);
  if (outcome === SHORT) throw new FlowmineError(`${where}: delta page ends after ${wasm.produced()} of ${count} values`);
  if (outcome === CORRUPT) throw new FlowmineError(`${where}: delta page with a damaged header or bit width`);
  copyValues(wasm, count, out, outAt);
}

/**
 * Copies the `count` values the module decoded last into `out` from `outAt`. Bytes are narrowed in the
 * module and copied as bytes: typed-array `set` from doubles into bytes converted them one by one in
 * V8's runtime (0.2 ms a row group of 32,768 rows, the USD-M dataset's three byte columns).
 */
function copyValues(wasm: PageExports, count: number, out: ValueColumn, outAt: number): void {
  const memory = wasm.memory.buffer;
  if (out instanceof Float64Array) return out.set(new Float64Array(memory, wasm.values(), count), outAt);
  wasm.narrow(count);
  if (out instanceof Int8Array) out.set(new Int8Array(memory, wasm.values(), count), outAt);
  else out.set(new Uint8Array(memory, wasm.values(), count), outAt);
}
