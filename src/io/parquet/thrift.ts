/**
 * Thrift compact protocol, the encoding of Parquet's footer and page headers: a generic reader (structs as
 * objects keyed by field id) and the few writing primitives the staging writer needs.
 */
import { FlowmineError } from '../../core/errors.js';

/** Compact protocol type codes. */
const enum T {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

/** A decoded struct: field id -> value (numbers, bigints beyond 2^53, Uint8Array, arrays, nested structs). */
export type ThriftStruct = { [field: number]: ThriftValue };
export type ThriftValue = number | bigint | boolean | Uint8Array | ThriftValue[] | ThriftStruct | Map<ThriftValue, ThriftValue>;

/** Reads compact-protocol structs from a byte array, from `offset` on. */
export class ThriftReader {
  constructor(
    readonly bytes: Uint8Array,
    public offset = 0,
  ) {}

  /** Reads one struct. */
  struct(): ThriftStruct {
    const out: ThriftStruct = {};
    let field = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === T.Stop) return out;
      const delta = header >> 4;
      field = delta === 0 ? this.zigzag() : field + delta;
      out[field] = this.value(type);
    }
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case T.True:
        return true;
      case T.False:
        return false;
      case T.Byte:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return this.zigzag();
      case T.I64:
        return this.zigzag64();
      case T.Double: {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8);
        this.offset += 8;
        return view.getFloat64(0, true);
      }
      case T.Binary: {
        const length = this.varint();
        const value = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return value;
      }
      case T.List:
      case T.Set: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const elementType = header & 0x0f;
        const list: ThriftValue[] = [];
        // Booleans inside collections are one byte each: 1 true, anything else false.
        for (let i = 0; i < size; i++) list.push(elementType === T.True || elementType === T.False ? this.byte() === 1 : this.value(elementType));
        return list;
      }
      case T.Map: {
        const size = this.varint();
        const map = new Map<ThriftValue, ThriftValue>();
        if (size === 0) return map;
        const types = this.byte();
        for (let i = 0; i < size; i++) map.set(this.value(types >> 4), this.value(types & 0x0f));
        return map;
      }
      case T.Struct:
        return this.struct();
      default:
        throw new FlowmineError(`Parquet metadata: unknown thrift type ${type} at byte ${this.offset}`);
    }
  }

  private byte(): number {
    if (this.offset >= this.bytes.length) throw new FlowmineError('Parquet metadata ends early');
    return this.bytes[this.offset++]!;
  }

  /** Unsigned varint (up to 2^53). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** Zigzag varint of 64 bits: a number when it fits 2^53 exactly, else a bigint. */
  private zigzag64(): number | bigint {
    const start = this.offset;
    let length = 0;
    while (this.byte() >= 0x80) length++;
    if (length < 7) {
      this.offset = start;
      return this.zigzag();
    }
    let n = 0n;
    for (let i = length; i >= 0; i--) n = (n << 7n) | BigInt(this.bytes[start + i]! & 0x7f);
    return n & 1n ? -((n + 1n) >> 1n) : n >> 1n;
  }
}

/** Writes compact-protocol structs into a growable buffer. */
export class ThriftWriter {
  private buffer = new Uint8Array(256);
  length = 0;
  private readonly lastField: number[] = [0];

  /** The bytes written. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  beginStruct(field?: number): void {
    if (field !== undefined) this.fieldHeader(field, T.Struct);
    this.lastField.push(0);
  }

  endStruct(): void {
    this.put(T.Stop);
    this.lastField.pop();
  }

  i32(field: number, value: number): void {
    this.fieldHeader(field, T.I32);
    this.zigzag(value);
  }

  i64(field: number, value: number): void {
    this.fieldHeader(field, T.I64);
    this.zigzag(value);
  }

  binary(field: number, value: Uint8Array | string): void {
    this.fieldHeader(field, T.Binary);
    this.rawBinary(value);
  }

  /** A list of structs; `each` writes the fields of element i between beginStruct/endStruct. */
  structList(field: number, count: number, each: (i: number) => void): void {
    this.listHeader(field, count, T.Struct);
    for (let i = 0; i < count; i++) {
      this.lastField.push(0);
      each(i);
      this.endStruct();
    }
  }

  i32List(field: number, values: readonly number[]): void {
    this.listHeader(field, values.length, T.I32);
    for (const value of values) this.zigzag(value);
  }

  binaryList(field: number, values: readonly string[]): void {
    this.listHeader(field, values.length, T.Binary);
    for (const value of values) this.rawBinary(value);
  }

  private listHeader(field: number, count: number, type: number): void {
    this.fieldHeader(field, T.List);
    if (count < 15) this.put((count << 4) | type);
    else {
      this.put(0xf0 | type);
      this.varint(count);
    }
  }

  private rawBinary(value: Uint8Array | string): void {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private fieldHeader(field: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1]!;
    const delta = field - last;
    if (delta > 0 && delta <= 15) this.put((delta << 4) | type);
    else {
      this.put(type);
      this.zigzag(field);
    }
    this.lastField[this.lastField.length - 1] = field;
  }

  private zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  private varint(value: number): void {
    while (value >= 0x80) {
      this.put((value % 128) | 0x80);
      value = Math.floor(value / 128);
    }
    this.put(value);
  }

  private put(byte: number): void {
    this.ensure(1);
    this.buffer[this.length++] = byte;
  }

  private ensure(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + more));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
