import { crc32 } from 'node:zlib';

/** CRC-32 (IEEE, as zlib computes it) of a latin1/ASCII string, unsigned. */
export function zlibCrc32(text: string): number {
  return crc32(text) >>> 0;
}
