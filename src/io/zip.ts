import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { lazyModule } from '../core/lazy-module.js';
import { FlowmineError, InputError } from '../core/errors.js';
import { crc32Update } from './crc32.js';

const zlib = lazyModule<typeof import('node:zlib')>('node:zlib');
const CHUNK_BYTES = 1 << 20;
const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
/** The end-of-directory record (22 bytes) plus the longest comment it may carry. */
const TAIL_BYTES = 22 + 0xffff;

/** Compression methods this reader inflates: 0 stored, 8 deflate. */
export const ZipMethod = { Stored: 0, Deflate: 8 } as const;

/** One member of a zip archive, as the archive's central directory describes it. */
export interface ZipEntry {
  name: string;
  /** Compression method (`ZipMethod`); others are refused when read. */
  method: number;
  /** General-purpose flags; bit 0 is encryption. */
  flags: number;
  /** CRC-32 of the uncompressed bytes, unsigned. */
  crc32: number;
  compressedSize: number;
  /** Uncompressed size in bytes. */
  size: number;
  /** Byte offset of the entry's local header in the archive. */
  localHeaderOffset: number;
}

/** True when the first bytes of a file (as stored) are a zip local file header. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * The entries of a zip archive, from its central directory (found through the end-of-directory record
 * at the end of the file; zip64 sizes and offsets are read where the archive uses them). A file that is
 * not a whole zip archive is a one-line InputError.
 */
export function zipEntries(path: string): ZipEntry[] {
  const fd = open(path);
  try {
    const fileSize = fstatSync(fd).size;
    const tailStart = Math.max(0, fileSize - TAIL_BYTES);
    const tail = readAt(fd, tailStart, fileSize - tailStart);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_DIRECTORY && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new InputError(path, 0, 'zip', 'no end-of-central-directory record: not a zip archive, or truncated');
    if (tail.readUInt16LE(end + 4) !== 0 || tail.readUInt16LE(end + 6) !== 0) throw new InputError(path, 0, 'zip', 'multi-part (spanned) archives are not supported');
    let count = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryOffset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // Zip64: the locator just before the end record points at the zip64 end record with 64-bit values.
      const locatorAt = tailStart + end - 20;
      const locator = locatorAt >= 0 ? readAt(fd, locatorAt, 20) : Buffer.alloc(0);
      if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new InputError(path, 0, 'zip', 'zip64 values without a zip64 end-of-directory locator');
      const record = readAt(fd, safe(path, locator.readBigUInt64LE(8)), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY) throw new InputError(path, 0, 'zip', 'zip64 end-of-directory record not where its locator says');
      count = safe(path, record.readBigUInt64LE(32));
      directorySize = safe(path, record.readBigUInt64LE(40));
      directoryOffset = safe(path, record.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > fileSize) throw new InputError(path, 0, 'zip', `central directory (${directorySize} bytes at ${directoryOffset}) extends past the end of the file (${fileSize} bytes)`);
    return centralDirectory(path, readAt(fd, directoryOffset, directorySize), count);
  } finally {
    closeSync(fd);
  }
}

function centralDirectory(path: string, directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER) throw new InputError(path, 0, 'zip', `central directory entry ${k + 1} of ${count} is damaged`);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      method: directory.readUInt16LE(at + 10),
      flags: directory.readUInt16LE(at + 8),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    zip64Values(path, entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces the 32-bit fields an entry marks as 0xFFFFFFFF with the 64-bit values of its zip64 extra field. */
function zip64Values(path: string, entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      // The 64-bit values present are those whose 32-bit fields overflowed, in this order.
      let field = at + 4;
      const next = (): number => {
        if (field + 8 > at + 4 + length) throw new InputError(path, 0, 'zip', `zip64 extra field of ${entry.name} is too short`);
        const value = safe(path, extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

/**
 * Streams the uncompressed bytes of the archive's one entry, chunk by chunk (never the entry whole):
 * stored or deflate (node's raw inflate). The CRC-32 and the size of what was read are checked against
 * the central directory at the end; a difference is an InputError (the member is corrupt). An archive with
 * more or fewer than one entry, an encrypted entry or another compression method is a one-line error.
 */
export async function* zipSingleEntryBytes(path: string): AsyncGenerator<Uint8Array> {
  const entries = zipEntries(path);
  if (entries.length !== 1) {
    const names = entries.slice(0, 3).map((entry) => entry.name).join(', ');
    throw new InputError(path, 0, 'zip', `holds ${entries.length} entries${entries.length ? ` (${names}${entries.length > 3 ? ', …' : ''})` : ''}; one was expected`);
  }
  yield* zipEntryBytes(path, entries[0]!);
}

/** Streams the uncompressed bytes of one entry, CRC-32 and size checked at the end (see `zipSingleEntryBytes`). */
export async function* zipEntryBytes(path: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  if (entry.flags & 1) throw new InputError(path, 0, 'zip', `${entry.name} is encrypted; encrypted entries are not supported`);
  if (entry.method !== ZipMethod.Stored && entry.method !== ZipMethod.Deflate) throw new InputError(path, 0, 'zip', `${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  const start = dataStart(path, entry);
  let crc = 0;
  let size = 0;
  if (entry.compressedSize > 0) {
    const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark: CHUNK_BYTES });
    try {
      if (entry.method === ZipMethod.Stored) {
        for await (const chunk of raw as AsyncIterable<Buffer>) {
          crc = crc32Update(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
      } else {
        const inflate = zlib().createInflateRaw({ chunkSize: CHUNK_BYTES });
        raw.on('error', (error) => inflate.destroy(error));
        raw.pipe(inflate);
        try {
          for await (const chunk of inflate as AsyncIterable<Buffer>) {
            crc = crc32Update(chunk, crc);
            size += chunk.length;
            yield chunk;
          }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new InputError(path, 0, 'zip', `deflate data of ${entry.name} is corrupt near compressed byte ${raw.bytesRead} (${reason})`);
        } finally {
          inflate.destroy();
        }
      }
    } finally {
      raw.destroy();
    }
  }
  if (size !== entry.size) throw new InputError(path, 0, 'zip', `${entry.name} inflates to ${size} bytes, the archive says ${entry.size}: the member is corrupt or truncated`);
  if (crc !== entry.crc32) throw new InputError(path, 0, 'zip', `CRC-32 of ${entry.name} is ${hex(crc)}, the archive says ${hex(entry.crc32)}: the member is corrupt`);
}

/** Offset of an entry's data: after its local header, whose name and extra lengths may differ from the central directory's. */
function dataStart(path: string, entry: ZipEntry): number {
  const fd = open(path);
  try {
    const header = readAt(fd, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) throw new InputError(path, 0, 'zip', `no local file header for ${entry.name} at byte ${entry.localHeaderOffset}`);
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + entry.compressedSize > fstatSync(fd).size) throw new InputError(path, 0, 'zip', `${entry.name} (${entry.compressedSize} bytes at ${start}) extends past the end of the file: truncated`);
    return start;
  } finally {
    closeSync(fd);
  }
}

function open(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FlowmineError(`${path}: cannot open (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const n = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, n);
}

/** A 64-bit size or offset as a number; beyond 2^53 it is not a real file's. */
function safe(path: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(path, 0, 'zip', `a size or offset of ${value} bytes is beyond any real file`);
  return Number(value);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
