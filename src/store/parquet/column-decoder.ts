/**
 * Decodes one Parquet column chunk of INT32 or INT64 values straight into a Float64Array (or a byte array,
 * for the event model's one-byte columns): data pages v1 and v2, dictionary pages, PLAIN, RLE_DICTIONARY
 * and DELTA_BINARY_PACKED values, optional columns (NULL becomes NaN; 0 in a byte array). INT64 values are taken minus a base so that epoch-nanosecond columns arrive as the
 * exact offsets an EventBatch holds. No per-value allocation: values go from bytes to the output array.
 */
import { FlowmineError } from '../../core/errors.js';
import { decompressPage } from './codecs.js';
import { deltaValues, dictionaryValues, loadDictionary, plainValues, type ValueColumn } from './page-decoder.js';
import { PhysicalType, type ColumnChunkMeta } from './metadata.js';
import { ThriftReader, type ThriftStruct } from '../../io/parquet/thrift.js';

const Encoding = { Plain: 0, PlainDictionary: 2, Rle: 3, DeltaBinaryPacked: 5, RleDictionary: 8 } as const;
const PageType = { Data: 0, Index: 1, Dictionary: 2, DataV2: 3 } as const;

/**
 * Decodes the chunk (`bytes` holds exactly its pages) into `out[0 .. chunk.numValues)`. `base` is
 * subtracted from INT64 values exactly; a result beyond 2^53 in magnitude is rounded once, to the double an
 * EventBatch held when the part was written from one. Damaged or unsupported data is a one-line error
 * naming `where`.
 */
export function decodeColumnChunk(bytes: Uint8Array, chunk: ColumnChunkMeta, optional: boolean, out: ValueColumn, base: bigint, where: string): void {
  const column = `${where}: column ${chunk.name}`;
  if (chunk.type !== PhysicalType.Int32 && chunk.type !== PhysicalType.Int64) throw new FlowmineError(`${column} has physical type ${chunk.type}; only integer columns are read here`);
  const wide = chunk.type === PhysicalType.Int64;
  const offsetBase = wide ? base : 0n;
  /** Values in the chunk's dictionary (decoded into the page decoder's module), -1 before its dictionary page. */
  let dictionarySize = -1;
  let pos = 0;
  let produced = 0;
  while (produced < chunk.numValues) {
    if (pos >= bytes.length) throw new FlowmineError(`${column} ends after ${produced} of ${chunk.numValues} values`);
    const reader = new ThriftReader(bytes, pos);
    const header = reader.struct();
    pos = reader.offset;
    const pageType = header[1] as number;
    const uncompressedSize = header[2] as number;
    const compressedSize = header[3] as number;
    const body = bytes.subarray(pos, pos + compressedSize);
    pos += compressedSize;
    if (pageType === PageType.Dictionary) {
      const dictionaryHeader = header[7] as ThriftStruct;
      const count = dictionaryHeader[1] as number;
      loadDictionary(decompressPage(chunk.codec, body, uncompressedSize, where), count, wide, offsetBase, column);
      dictionarySize = count;
      continue;
    }
    if (pageType !== PageType.Data && pageType !== PageType.DataV2) continue;
    let count: number;
    let encoding: number;
    let values: Uint8Array;
    let defined: Uint8Array | null = null;
    let present: number;
    if (pageType === PageType.Data) {
      const dataHeader = header[5] as ThriftStruct;
      count = dataHeader[1] as number;
      encoding = dataHeader[2] as number;
      const data = decompressPage(chunk.codec, body, uncompressedSize, where);
      let at = 0;
      present = count;
      if (optional) {
        const length = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
        defined = definitionLevels(data, at + 4, at + 4 + length, count);
        if (defined) present = countSet(defined);
        at += 4 + length;
      }
      values = data.subarray(at);
    } else {
      const v2 = header[8] as ThriftStruct;
      count = v2[1] as number;
      const nulls = v2[2] as number;
      encoding = v2[4] as number;
      const definitionBytes = v2[5] as number;
      const repetitionBytes = v2[6] as number;
      const compressed = v2[7] !== false;
      const levelBytes = definitionBytes + repetitionBytes;
      const rest = body.subarray(levelBytes);
      values = compressed ? decompressPage(chunk.codec, rest, uncompressedSize - levelBytes, where) : rest;
      if (optional && nulls > 0) defined = definitionLevels(body, repetitionBytes, levelBytes, count);
      present = count - nulls;
    }
    if (produced + count > out.length) throw new FlowmineError(`${column} has more values than its row group`);
    // Values go straight to their rows when none is NULL, else through a scratch array and are spread out.
    const target = defined && present < count ? new Float64Array(present) : out;
    const targetAt = target === out ? produced : 0;
    switch (encoding) {
      case Encoding.Plain:
        plainValues(values, present, wide, offsetBase, target, targetAt, column);
        break;
      case Encoding.PlainDictionary:
      case Encoding.RleDictionary: {
        if (dictionarySize < 0) throw new FlowmineError(`${column} refers to a dictionary it does not have`);
        dictionaryValues(values, present, dictionarySize, target, targetAt, column);
        break;
      }
      case Encoding.DeltaBinaryPacked:
        deltaValues(values, present, offsetBase, target, targetAt, column);
        break;
      default:
        throw new FlowmineError(`${column} uses Parquet encoding ${encoding}, which is not read here`);
    }
    if (target !== out) {
      let k = 0;
      for (let i = 0; i < count; i++) out[produced + i] = defined![i] ? target[k++]! : NaN;
    }
    produced += count;
  }
}

function countSet(flags: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < flags.length; i++) n += flags[i]!;
  return n;
}

/**
 * Definition levels of an optional flat column (RLE / bit-packed hybrid, bit width 1): null when every value
 * is present (the usual single run), else one flag per value.
 */
function definitionLevels(data: Uint8Array, at: number, end: number, count: number): Uint8Array | null {
  const state = { at };
  const header = uvarint(data, state);
  if (header % 2 === 0 && header / 2 >= count && data[state.at] === 1) return null;
  const defined = new Uint8Array(count);
  let k = 0;
  state.at = at;
  while (k < count) {
    if (state.at >= end) throw new FlowmineError(`definition levels end after ${k} of ${count} values`);
    const run = uvarint(data, state);
    if (run % 2 === 1) {
      const values = Math.floor(run / 2) * 8;
      const n = Math.min(values, count - k);
      for (let i = 0; i < n; i++) defined[k + i] = (data[state.at + (i >> 3)]! >> (i & 7)) & 1;
      state.at += values / 8;
      k += n;
    } else {
      const n = Math.min(run / 2, count - k);
      defined.fill(data[state.at++]! & 1, k, k + n);
      k += n;
    }
  }
  return defined;
}

/** Reads an unsigned varint at `state.at`. */
function uvarint(data: Uint8Array, state: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = data[state.at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
}
