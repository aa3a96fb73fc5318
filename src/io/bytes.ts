import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { ZlibOptions } from 'node:zlib';
import { Decompress } from 'fzstd';
import { lazyModule } from '../core/lazy-module.js';
import { FlowmineError, InputError } from '../core/errors.js';

const zlib = lazyModule<typeof import('node:zlib')>('node:zlib');
const fsPromises = lazyModule<typeof import('node:fs/promises')>('node:fs/promises');

const CHUNK_BYTES = 1 << 20;

/** Compression recognised by magic bytes. */
export type Compression = 'none' | 'gzip' | 'zstd';

export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Reads the first bytes of a file as stored (not decompressed); a missing file is a one-line error. */
export function rawHead(path: string, bytes = 4): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FlowmineError(`${path}: cannot open (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  try {
    const head = new Uint8Array(bytes);
    const n = readSync(fd, head, 0, bytes, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Read buffers in the ring of a `reuseBuffers` read. */
const RING = 3;

/**
 * Streams a file's bytes, decompressing gzip and zstd (detected by magic bytes). A corrupt or
 * truncated compressed stream ends in an InputError naming the file and the compressed byte offset.
 *
 * With `reuseBuffers` (for consumers done with each chunk before they ask for the next but one) an
 * uncompressed file is read into a ring of three buffers, reused, instead of a new buffer per chunk: new
 * memory costs a page fault per 4 KB on first touch, more than the read itself. `chunkBytes` (1 MiB by
 * default) is the size of each read and of each decompressed chunk.
 */
export async function* fileBytes(path: string, options: { reuseBuffers?: boolean; chunkBytes?: number } = {}): AsyncGenerator<Uint8Array> {
  const compression = compressionOf(rawHead(path));
  if (compression === 'none' && options.reuseBuffers) {
    yield* ringReads(path);
    return;
  }
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const raw = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    if (compression === 'none') {
      yield* raw as AsyncIterable<Buffer>;
    } else if (compression === 'gzip') {
      // A zlib stream's readable buffer (16 KiB by default) is full after one chunk, and it inflates the
      // next only once that one is taken. Room for four chunks lets it inflate ahead, on libuv's thread
      // pool, while the reader parses. (Transform options; Node's types list only zlib's own.)
      const gunzip = zlib().createGunzip({ chunkSize: chunkBytes, readableHighWaterMark: 4 * chunkBytes } as ZlibOptions);
      raw.on('error', (error) => gunzip.destroy(error));
      raw.pipe(gunzip);
      try {
        yield* gunzip as AsyncIterable<Buffer>;
      } catch (error) {
        throw corrupt(path, 'gzip', raw.bytesRead, error);
      } finally {
        gunzip.destroy();
      }
    } else {
      yield* zstdChunks(raw as AsyncIterable<Buffer>, path);
    }
  } finally {
    raw.destroy();
  }
}

/** A file's bytes read in turn into the RING buffers: a chunk is overwritten RING reads later. */
async function* ringReads(path: string): AsyncGenerator<Uint8Array> {
  const file = await fsPromises().open(path, 'r');
  try {
    const ring = Array.from({ length: RING }, () => new Uint8Array(CHUNK_BYTES));
    for (let k = 0; ; k++) {
      const buffer = ring[k % RING]!;
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

async function* zstdChunks(raw: AsyncIterable<Buffer>, path: string): AsyncGenerator<Uint8Array> {
  const pending: Uint8Array[] = [];
  const zstd = new Decompress((data) => void pending.push(data));
  let consumed = 0;
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      zstd.push(chunk, final);
    } catch (error) {
      throw corrupt(path, 'zstd', consumed, error);
    }
    consumed += chunk.length;
  };
  for await (const chunk of raw) {
    push(chunk, false);
    while (pending.length) yield pending.shift()!;
  }
  push(new Uint8Array(0), true);
  while (pending.length) yield pending.shift()!;
}

function corrupt(path: string, kind: string, offset: number, error: unknown): InputError {
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError(path, 0, `${kind} stream`, `corrupt or truncated near compressed byte ${offset} (${reason})`);
}

/** Chunk size of a `headBytes` read: the head of a compressed file is not decompressed a whole MiB deep. */
const HEAD_CHUNK_BYTES = 64 * 1024;

/** Reads up to `bytes` decompressed bytes from the start of a file (for sniffing). */
export async function headBytes(path: string, bytes = 4096): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const iterator = fileBytes(path, { chunkBytes: Math.max(bytes, HEAD_CHUNK_BYTES) });
  try {
    for await (const chunk of iterator) {
      parts.push(chunk);
      total += chunk.length;
      if (total >= bytes) break;
    }
  } catch (error) {
    if (total === 0) throw error;
  } finally {
    await iterator.return(undefined);
  }
  return Buffer.concat(parts).subarray(0, bytes);
}
