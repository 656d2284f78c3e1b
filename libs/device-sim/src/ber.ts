/*
 * The small subset of ASN.1 BER that SNMP uses: definite lengths, INTEGER, OCTET STRING, NULL, OBJECT
 * IDENTIFIER, SEQUENCE and the SNMP application/context tags. Hand-rolled so that one process can answer
 * for ten thousand devices without a library agent (and its MIB tree) per device.
 */

export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
  GetRequest: 0xa0,
  GetNextRequest: 0xa1,
  GetResponse: 0xa2,
  SetRequest: 0xa3,
  GetBulkRequest: 0xa5,
  Report: 0xa8,
} as const;

export class BerError extends Error {
  override readonly name = "BerError";
}

export type Tlv = { tag: number; start: number; end: number };

/** Reads TLVs from a buffer region; every read is bounds-checked (malformed input throws BerError). */
export class BerReader {
  constructor(
    readonly buf: Buffer,
    public offset = 0,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.offset >= this.end;
  }

  next(expected?: number): Tlv {
    if (this.offset + 2 > this.end) throw new BerError("truncated TLV");
    const tag = this.buf[this.offset] as number;
    if (expected !== undefined && tag !== expected) {
      throw new BerError(`expected tag 0x${expected.toString(16)}, got 0x${tag.toString(16)}`);
    }
    let pos = this.offset + 1;
    let length = this.buf[pos++] as number;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      if (bytes === 0 || bytes > 3 || pos + bytes > this.end) throw new BerError("bad length");
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + (this.buf[pos++] as number);
    }
    if (pos + length > this.end) throw new BerError("length past end");
    this.offset = pos + length;
    return { tag, start: pos, end: pos + length };
  }

  /** Enters a constructed value (SEQUENCE or PDU) and returns a reader over its contents. */
  enter(expected?: number): BerReader & { tag: number } {
    const tlv = this.next(expected);
    return Object.assign(new BerReader(this.buf, tlv.start, tlv.end), { tag: tlv.tag });
  }

  integer(): number {
    const { start, end } = this.next();
    if (end - start < 1 || end - start > 6) throw new BerError("bad integer");
    if ((this.buf[start] as number) & 0x80) return readSigned(this.buf, start, end);
    let value = 0;
    for (let i = start; i < end; i++) value = value * 256 + (this.buf[i] as number);
    return value;
  }

  octets(): Buffer {
    const { start, end } = this.next(Tag.OctetString);
    return this.buf.subarray(start, end);
  }

  /** The raw bytes of the next TLV (tag and length included) and where they start. */
  raw(): { bytes: Buffer; offset: number } {
    const at = this.offset;
    this.next();
    return { bytes: this.buf.subarray(at, this.offset), offset: at };
  }

  oid(): number[] {
    const { start, end } = this.next(Tag.Oid);
    if (end <= start) throw new BerError("empty OID");
    const first = this.buf[start] as number;
    const arcs = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
    let value = 0;
    for (let i = start + 1; i < end; i++) {
      const byte = this.buf[i] as number;
      value = value * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) {
        arcs.push(value);
        value = 0;
      }
    }
    return arcs;
  }
}

function readSigned(buf: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 256 + (buf[i] as number);
  return value - 2 ** (8 * (end - start));
}

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  if (length < 0x10000) return Buffer.from([0x82, length >> 8, length & 0xff]);
  return Buffer.from([0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export function sequence(tag: number, parts: Buffer[]): Buffer {
  return tlv(tag, Buffer.concat(parts));
}

/** Signed INTEGER (two's complement, minimal). */
export function integer(value: number, tag: number = Tag.Integer): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  const top = bytes[0] as number;
  if (value >= 0 && top & 0x80) bytes.unshift(0);
  if (value < 0 && !(top & 0x80)) bytes.unshift(0xff);
  return tlv(tag, Buffer.from(bytes));
}

/** Counter32, Gauge32 and TimeTicks: unsigned 32-bit values encoded like INTEGER. */
export function unsigned(value: number, tag: number): Buffer {
  return integer(Math.max(0, Math.min(value, 0xffffffff)), tag);
}

export function octets(value: Buffer | string): Buffer {
  return tlv(Tag.OctetString, typeof value === "string" ? Buffer.from(value, "utf8") : value);
}

export function nullValue(tag: number = Tag.Null): Buffer {
  return Buffer.from([tag, 0]);
}

export function oid(arcs: readonly number[]): Buffer {
  const bytes: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
  for (let i = 2; i < arcs.length; i++) {
    let arc = arcs[i] as number;
    const chunk = [arc & 0x7f];
    arc = Math.floor(arc / 128);
    while (arc > 0) {
      chunk.unshift((arc & 0x7f) | 0x80);
      arc = Math.floor(arc / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(Tag.Oid, Buffer.from(bytes));
}

export const parseOid = (text: string): number[] => text.replace(/^\./, "").split(".").map(Number);
export const formatOid = (arcs: readonly number[]): string => arcs.join(".");

export function compareOids(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
