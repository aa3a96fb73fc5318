import { fileBytes } from './bytes.js';

/**
 * A run of whole text lines inside `bytes[0, end)`. `firstLine` is the 1-based line number of the
 * first line in the run. Lines end with `\n` (a `\r` before it is the reader's to strip); the file's
 * last line may have no newline.
 */
export interface LineChunk {
  bytes: Uint8Array;
  end: number;
  firstLine: number;
  /** Number of lines in the run (the last one may lack its newline at the end of the file). */
  lines: number;
}

/**
 * Streams a (possibly compressed) text file as chunks of whole lines, without splitting into strings.
 * Hot readers scan `bytes` directly.
 */
export async function* lineChunks(path: string, options: { countLines?: boolean } = {}): AsyncGenerator<LineChunk> {
  const counting = options.countLines ?? true;
  let carry: Uint8Array | null = null;
  let line = 1;
  for await (const chunk of fileBytes(path)) {
    // Plain Uint8Array views only (no Buffer): keeps the readers' byte loops monomorphic.
    const bytes: Uint8Array = carry ? concat(carry, chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const lastNewline = bytes.lastIndexOf(10);
    if (lastNewline < 0) {
      carry = bytes;
      continue;
    }
    const end = lastNewline + 1;
    // Readers that number lines themselves skip this pass (firstLine and lines are then NaN).
    const lines = counting ? countNewlines(bytes, end) : NaN;
    yield { bytes, end, firstLine: line, lines };
    line += lines;
    carry = end < bytes.length ? bytes.subarray(end) : null;
  }
  if (carry && carry.length > 0) yield { bytes: carry, end: carry.length, firstLine: line, lines: 1 };
}

/** Streams a text file line by line as strings (for JSON-per-line formats, where parsing dominates). */
export async function* textLines(path: string): AsyncGenerator<[line: number, text: string]> {
  const decoder = new TextDecoder();
  for await (const chunk of lineChunks(path)) {
    const text = decoder.decode(chunk.bytes.subarray(0, chunk.end));
    let line = chunk.firstLine;
    let start = 0;
    while (start < text.length) {
      let stop = text.indexOf('\n', start);
      if (stop < 0) stop = text.length;
      const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
      yield [line++, text.slice(start, end)];
      start = stop + 1;
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  // indexOf is a native memchr: faster than a byte loop for lines longer than a few bytes.
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < end; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
