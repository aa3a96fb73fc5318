import { lazyModule } from '../core/lazy-module.js';

const zlib = lazyModule<typeof import('node:zlib')>('node:zlib');

/** CRC-32 (IEEE, as zlib computes it) of a latin1/ASCII string, unsigned. */
export function zlibCrc32(text: string): number {
  return zlib().crc32(text) >>> 0;
}

/**
 * CRC-32 (IEEE, as zip and zlib compute it) of `bytes`, continuing from `crc` (the CRC of the bytes
 * before them; 0 to start), unsigned. Feed a stream chunk by chunk: `crc = crc32Update(chunk, crc)`.
 */
export function crc32Update(bytes: Uint8Array, crc = 0): number {
  return zlib().crc32(bytes, crc) >>> 0;
}
