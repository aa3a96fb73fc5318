/**
 * A Parquet file's footer, read without reading the data: its flat schema, row groups, column chunks
 * (where their pages are, codec, statistics) and key-value metadata.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FlowmineError } from '../../core/errors.js';
import { ThriftReader, type ThriftStruct, type ThriftValue } from '../../io/parquet/thrift.js';

/** Physical types. */
export const PhysicalType = { Boolean: 0, Int32: 1, Int64: 2, Int96: 3, Float: 4, Double: 5, ByteArray: 6, FixedLenByteArray: 7 } as const;

/** One leaf column of a flat schema. */
export interface ColumnSchema {
  name: string;
  type: number;
  /** 0 required, 1 optional. */
  repetition: number;
}

/** Where one column's pages are in one row group. */
export interface ColumnChunkMeta {
  name: string;
  type: number;
  codec: number;
  numValues: number;
  /** First byte of the chunk (its dictionary page if any) and its compressed length. */
  start: number;
  length: number;
  /** Statistics as stored (little-endian bytes of min and max), when the writer gave them. */
  min: Uint8Array | null;
  max: Uint8Array | null;
  nullCount: number | null;
}

export interface RowGroupMeta {
  rows: number;
  columns: ColumnChunkMeta[];
}

export interface FileMeta {
  rows: number;
  schema: ColumnSchema[];
  rowGroups: RowGroupMeta[];
  keyValue: Map<string, string>;
  fileBytes: number;
}

const MAGIC = 0x31524150; // "PAR1" little-endian

/** Reads the footer of a Parquet file; a file that is not Parquet is a one-line error naming it. */
export function readFileMeta(path: string): FileMeta {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 12) throw new FlowmineError(`${path}: not a Parquet file (${size} bytes)`);
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.readUInt32LE(4) !== MAGIC) throw new FlowmineError(`${path}: not a Parquet file (no PAR1 at its end)`);
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 12 > size) throw new FlowmineError(`${path}: corrupt Parquet footer length ${footerLength}`);
    // A plain Uint8Array, as the pages are: the Thrift reader then meets one kind of array (a Buffer here
    // made V8 throw its compiled code away once a replay).
    const footer = new Uint8Array(footerLength);
    readSync(fd, footer, 0, footerLength, size - 8 - footerLength);
    return parseFileMeta(new ThriftReader(footer).struct(), size, path);
  } finally {
    closeSync(fd);
  }
}

function parseFileMeta(meta: ThriftStruct, fileBytes: number, path: string): FileMeta {
  const elements = (meta[2] as ThriftStruct[] | undefined) ?? [];
  const root = elements[0];
  if (!root || (root[5] as number) !== elements.length - 1 || elements.slice(1).some((element) => element[5] !== undefined)) {
    throw new FlowmineError(`${path}: only flat Parquet schemas are read here`);
  }
  const schema = elements.slice(1).map((element) => ({ name: text(element[4]), type: element[1] as number, repetition: (element[3] as number | undefined) ?? 0 }));
  const rowGroups = ((meta[4] as ThriftStruct[] | undefined) ?? []).map((group): RowGroupMeta => ({
    rows: toNumber(group[3]),
    columns: ((group[1] as ThriftStruct[] | undefined) ?? []).map((chunk, c): ColumnChunkMeta => {
      const column = chunk[3] as ThriftStruct | undefined;
      if (!column) throw new FlowmineError(`${path}: column chunk without metadata`);
      if (chunk[1] !== undefined) throw new FlowmineError(`${path}: column chunks in other files are not read here`);
      const dataOffset = toNumber(column[9]);
      const dictionaryOffset = column[11] === undefined ? Infinity : toNumber(column[11]);
      const start = Math.min(dataOffset, dictionaryOffset > 0 ? dictionaryOffset : Infinity);
      const statistics = column[12] as ThriftStruct | undefined;
      return {
        name: (column[3] as ThriftValue[]).map(text).join('.') || schema[c]?.name || '',
        type: column[1] as number,
        codec: column[4] as number,
        numValues: toNumber(column[5]),
        start,
        length: toNumber(column[7]),
        min: (statistics?.[6] ?? null) as Uint8Array | null,
        max: (statistics?.[5] ?? null) as Uint8Array | null,
        nullCount: statistics?.[3] === undefined ? null : toNumber(statistics[3]),
      };
    }),
  }));
  const keyValue = new Map<string, string>();
  for (const pair of (meta[5] as ThriftStruct[] | undefined) ?? []) keyValue.set(text(pair[1]), pair[2] === undefined ? '' : text(pair[2]));
  return { rows: toNumber(meta[3]), schema, rowGroups, keyValue, fileBytes };
}

function text(value: ThriftValue | undefined): string {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8') : '';
}

function toNumber(value: ThriftValue | undefined): number {
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}

/** A little-endian INT64 statistic as a bigint. */
export function int64Statistic(bytes: Uint8Array | null): bigint | null {
  if (!bytes || bytes.length !== 8) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigInt64LE(0);
}
