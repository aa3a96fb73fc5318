import { crc32, deflateRawSync } from 'node:zlib';

/** One member of a test archive: stored (0) or deflated (8); the other fields fake what a writer could get wrong. */
export interface TestMember {
  name: string;
  data: Uint8Array;
  method?: number;
  /** Compressed bytes to store instead of the real ones (method 8). */
  compressed?: Uint8Array;
  /** CRC-32 to write instead of the real one. */
  crc?: number;
  /** Uncompressed size to write instead of the real one. */
  size?: number;
  /** Write sizes and offset as zip64 (0xFFFFFFFF with a zip64 extra field, and a zip64 end record). */
  zip64?: boolean;
}

/** A zip archive built byte by byte (local headers, data, central directory, end record), as zip writers lay it out. */
export function zipArchive(members: TestMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let zip64 = false;
  for (const member of members) {
    const method = member.method ?? 8;
    const body = Buffer.from(member.compressed ?? (method === 8 ? deflateRawSync(member.data) : member.data));
    const name = Buffer.from(member.name, 'utf8');
    const crc = member.crc ?? crc32(member.data) >>> 0;
    const size = member.size ?? member.data.length;
    zip64 ||= member.zip64 === true;
    const extra = member.zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (member.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(member.zip64 ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(member.zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(member.zip64 ? 0xffffffff : body.length, 20);
    central.writeUInt32LE(member.zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(member.zip64 ? 0xffffffff : offset, 42);
    centrals.push(central, name, extra);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(members.length), 24);
    record.writeBigUInt64LE(BigInt(members.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, directory, ...tail, end]);
}
