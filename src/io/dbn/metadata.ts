import { InputError } from '../../core/errors.js';

/**
 * The metadata block at the start of a Databento DBN file (versions 1-3), as the DBN encoding
 * specifies it: 'DBN', a version byte, the metadata length (u32), then dataset, schema, time range,
 * symbology types and the symbol mappings. Versions 2 and 3 carry the symbol field width; version 1
 * uses 22 bytes and has a record count where later versions have none.
 */
export interface DbnMetadata {
  version: number;
  dataset: string;
  /** Schema code (0 mbo, 1 mbp-1, 2 mbp-10, …; 0xffff mixed). */
  schema: number;
  startNs: bigint;
  endNs: bigint;
  stypeIn: number;
  stypeOut: number;
  tsOut: boolean;
  /** instrument_id -> symbol, from the mappings. */
  symbols: Map<number, string>;
  /** Bytes from the start of the file to the first record. */
  recordsOffset: number;
}

export const SCHEMA_NAMES: Record<number, string> = { 0: 'mbo', 1: 'mbp-1', 2: 'mbp-10', 3: 'tbbo', 4: 'trades', 0xffff: 'mixed' };

/** Bytes needed before the metadata can be parsed: the 8-byte prelude tells how many. */
export function metadataLength(bytes: Uint8Array, path: string): number {
  if (bytes.length < 8) return -1;
  if (bytes[0] !== 0x44 || bytes[1] !== 0x42 || bytes[2] !== 0x4e) throw new InputError(path, 0, 'header', 'not a DBN file (no "DBN" signature)');
  const version = bytes[3]!;
  if (version < 1 || version > 3) throw new InputError(path, 0, 'header', `DBN version ${version} is not supported (1-3 are)`);
  return 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
}

/** Parses the metadata; `bytes` holds at least `metadataLength` bytes. */
export function parseMetadata(bytes: Uint8Array, path: string): DbnMetadata {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[3]!;
  const end = metadataLength(bytes, path);
  let at = 8;
  const need = (n: number, what: string) => {
    if (at + n > end) throw new InputError(path, 0, 'header', `metadata ends inside ${what}`);
  };
  const text = (width: number, what: string) => {
    need(width, what);
    let stop = at;
    while (stop < at + width && bytes[stop] !== 0) stop++;
    const value = Buffer.from(bytes.buffer, bytes.byteOffset + at, stop - at).toString('latin1');
    at += width;
    return value;
  };
  const u32 = (what: string) => {
    need(4, what);
    const value = view.getUint32(at, true);
    at += 4;
    return value;
  };
  const dataset = text(16, 'dataset');
  need(2 + 8 + 8 + 8, 'schema and time range');
  const schema = view.getUint16(at, true);
  const startNs = view.getBigUint64(at + 2, true);
  const endNs = view.getBigUint64(at + 10, true);
  at += 2 + 8 + 8 + 8; // schema, start, end, limit
  if (version === 1) at += 8; // record_count
  need(3, 'symbology');
  const stypeIn = bytes[at]!;
  const stypeOut = bytes[at + 1]!;
  const tsOut = bytes[at + 2] !== 0;
  at += 3;
  let symbolWidth = 22;
  if (version >= 2) {
    need(2, 'symbol width');
    symbolWidth = view.getUint16(at, true);
    at += 2 + 53;
  } else at += 47;
  const schemaDefinitionLength = u32('schema definition length'); // (`at += u32()` would read `at` first)
  at += schemaDefinitionLength;
  const skipSymbols = (what: string) => {
    const count = u32(what);
    need(count * symbolWidth, what);
    at += count * symbolWidth;
  };
  skipSymbols('symbols');
  skipSymbols('partial');
  skipSymbols('not_found');
  const symbols = new Map<number, string>();
  const mappings = u32('mappings');
  for (let m = 0; m < mappings; m++) {
    const raw = text(symbolWidth, 'mapping');
    const intervals = u32('mapping intervals');
    for (let k = 0; k < intervals; k++) {
      at += 8; // start and end dates (YYYYMMDD)
      const mapped = text(symbolWidth, 'mapping interval');
      // One side of the mapping is the numeric instrument id (stype instrument_id = 0).
      if (/^\d+$/.test(mapped) && stypeOut === 0) symbols.set(Number(mapped), raw);
      else if (/^\d+$/.test(raw) && stypeIn === 0) symbols.set(Number(raw), mapped);
    }
  }
  return { version, dataset, schema, startNs, endNs, stypeIn, stypeOut, tsOut, symbols, recordsOffset: end };
}
