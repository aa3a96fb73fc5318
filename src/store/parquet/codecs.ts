/**
 * Page decompression for the Parquet reader: LZ4 raw blocks in WebAssembly (page-decoder.ts), Snappy
 * written here, Zstandard through fzstd. Each takes the compressed bytes and the size the page header
 * announces.
 */
import { decompress as zstdDecompress } from 'fzstd';
import { FlowmineError } from '../../core/errors.js';
import { lz4Block } from './page-decoder.js';

/** Parquet compression codec codes. */
export const Codec = { Uncompressed: 0, Snappy: 1, Gzip: 2, Lzo: 3, Brotli: 4, Lz4: 5, Zstd: 6, Lz4Raw: 7 } as const;

/**
 * Decompresses one page body with the column's codec into exactly `size` bytes. The bytes are those of a
 * buffer the next call reuses (fresh memory per page costs page faults): read them before the next page.
 */
export function decompressPage(codec: number, input: Uint8Array, size: number, where: string): Uint8Array {
  switch (codec) {
    case Codec.Uncompressed:
      return input;
    case Codec.Lz4Raw:
      return lz4Block(input, size, where);
    case Codec.Snappy:
      return snappy(input, size, where, pageBuffer(size));
    case Codec.Zstd: {
      const out = zstdDecompress(input, pageBuffer(size));
      if (out.length !== size) throw new FlowmineError(`${where}: zstd page is ${out.length} bytes, expected ${size}`);
      return out;
    }
    default:
      throw new FlowmineError(`${where}: Parquet compression codec ${codec} is not supported (parts use LZ4_RAW; Snappy, Zstd and none are read too)`);
  }
}

let reused: Uint8Array = new Uint8Array(0);

/** `size` bytes of the buffer pages are decompressed into. */
function pageBuffer(size: number): Uint8Array {
  if (reused.length < size) reused = new Uint8Array(size);
  return reused.subarray(0, size);
}

/** Snappy raw format: a varint length, then literal and copy elements, into `out` (`size` bytes). */
export function snappy(input: Uint8Array, size: number, where: string, out: Uint8Array = new Uint8Array(size)): Uint8Array {
  let i = 0;
  let length = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = input[i++]!;
    length += (byte & 0x7f) * shift;
    if (byte < 0x80) break;
  }
  if (length !== size) throw new FlowmineError(`${where}: Snappy page is ${length} bytes, expected ${size}`);
  let o = 0;
  while (i < input.length) {
    const tag = input[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let literals = tag >> 2;
      if (literals >= 60) {
        const bytes = literals - 59;
        literals = 0;
        for (let k = 0; k < bytes; k++) literals += input[i++]! * 2 ** (8 * k);
      }
      literals++;
      if (o + literals > size) throw new FlowmineError(`${where}: corrupt Snappy page`);
      out.set(input.subarray(i, i + literals), o);
      i += literals;
      o += literals;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      copyLength = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[i++]!;
    } else if (kind === 2) {
      copyLength = (tag >> 2) + 1;
      offset = input[i]! | (input[i + 1]! << 8);
      i += 2;
    } else {
      copyLength = (tag >> 2) + 1;
      offset = (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)) + input[i + 3]! * 16777216;
      i += 4;
    }
    if (offset === 0 || offset > o || o + copyLength > size) throw new FlowmineError(`${where}: corrupt Snappy page`);
    copyMatch(out, o, offset, copyLength);
    o += copyLength;
  }
  if (o !== size) throw new FlowmineError(`${where}: Snappy page is ${o} bytes, expected ${size}`);
  return out;
}

/** Copies `length` bytes from `offset` bytes back; an overlapping copy repeats the pattern, as the format means. */
function copyMatch(out: Uint8Array, o: number, offset: number, length: number): void {
  const from = o - offset;
  if (offset >= length) out.copyWithin(o, from, from + length);
  else for (let k = 0; k < length; k++) out[o + k] = out[from + k]!;
}
