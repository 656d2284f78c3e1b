import { BerError, BerReader, integer, octets, oid, sequence, Tag } from "./ber.js";

/*
 * SNMP message framing: v1/v2c community messages and v3 messages with USM security parameters
 * (RFC 3412/3414). Values in varbinds stay encoded TLVs: the agent builds them once per device.
 */

export type Pdu = {
  type: number;
  requestId: number;
  /** errorStatus, or nonRepeaters for GetBulk. */
  a: number;
  /** errorIndex, or maxRepetitions for GetBulk. */
  b: number;
  oids: number[][];
};

export type CommunityMessage = { version: 0 | 1; community: string; pdu: Pdu };

export type V3Message = {
  version: 3;
  msgId: number;
  maxSize: number;
  flags: number;
  securityModel: number;
  engineId: Buffer;
  boots: number;
  time: number;
  user: string;
  authParams: Buffer;
  /** Where authParams sit in the message buffer, to zero them for the MAC check. */
  authParamsOffset: number;
  privParams: Buffer;
  /** The plaintext scoped PDU (TLV), or the ciphertext when the privacy flag is set. */
  scoped: Buffer;
  /** The whole datagram (the MAC covers all of it). */
  packet: Buffer;
};

export const Flags = { auth: 1, priv: 2, reportable: 4 } as const;

export type Varbind = { oid: readonly number[]; value: Buffer };

export function parsePdu(reader: BerReader): Pdu {
  const pdu = reader.enter();
  const requestId = pdu.integer();
  const a = pdu.integer();
  const b = pdu.integer();
  const list = pdu.enter(Tag.Sequence);
  const oids: number[][] = [];
  while (!list.done) {
    const vb = list.enter(Tag.Sequence);
    oids.push(vb.oid());
  }
  return { type: pdu.tag, requestId, a, b, oids };
}

export function parseMessage(buf: Buffer): CommunityMessage | V3Message {
  const msg = new BerReader(buf).enter(Tag.Sequence);
  const version = msg.integer();
  if (version === 0 || version === 1) {
    const community = msg.octets().toString("latin1");
    return { version, community, pdu: parsePdu(msg) };
  }
  if (version !== 3) throw new BerError(`unsupported version ${version}`);
  const header = msg.enter(Tag.Sequence);
  const msgId = header.integer();
  const maxSize = header.integer();
  const flags = header.octets()[0] ?? 0;
  const securityModel = header.integer();
  const secTlv = msg.next(Tag.OctetString);
  const sec = new BerReader(buf, secTlv.start, secTlv.end).enter(Tag.Sequence);
  const engineId = Buffer.from(sec.octets());
  const boots = sec.integer();
  const time = sec.integer();
  const user = sec.octets().toString("utf8");
  const authTlv = sec.next(Tag.OctetString);
  const privParams = Buffer.from(sec.octets());
  const scopedTlv = msg.raw();
  const scoped = flags & Flags.priv ? new BerReader(scopedTlv.bytes).octets() : scopedTlv.bytes;
  return {
    version: 3,
    msgId,
    maxSize,
    flags,
    securityModel,
    engineId,
    boots,
    time,
    user,
    authParams: Buffer.from(buf.subarray(authTlv.start, authTlv.end)),
    authParamsOffset: authTlv.start,
    privParams,
    scoped: Buffer.from(scoped),
    packet: buf,
  };
}

export function parseScopedPdu(scoped: Buffer): { contextEngineId: Buffer; contextName: string; pdu: Pdu } {
  const seq = new BerReader(scoped).enter(Tag.Sequence);
  const contextEngineId = Buffer.from(seq.octets());
  const contextName = seq.octets().toString("utf8");
  return { contextEngineId, contextName, pdu: parsePdu(seq) };
}

export function encodePdu(
  type: number,
  requestId: number,
  errorStatus: number,
  errorIndex: number,
  varbinds: readonly Varbind[],
): Buffer {
  const list = varbinds.map((vb) => sequence(Tag.Sequence, [oid(vb.oid), vb.value]));
  return sequence(type, [
    integer(requestId),
    integer(errorStatus),
    integer(errorIndex),
    sequence(Tag.Sequence, list),
  ]);
}

export function encodeCommunityMessage(version: 0 | 1, community: string, pdu: Buffer): Buffer {
  return sequence(Tag.Sequence, [integer(version), octets(Buffer.from(community, "latin1")), pdu]);
}

export function encodeScopedPdu(contextEngineId: Buffer, contextName: string, pdu: Buffer): Buffer {
  return sequence(Tag.Sequence, [octets(contextEngineId), octets(contextName), pdu]);
}

export type V3Outgoing = {
  msgId: number;
  flags: number;
  engineId: Buffer;
  boots: number;
  time: number;
  user: string;
  /** Length of the zero-filled MAC placeholder (0 without authentication). */
  macLength: number;
  privParams: Buffer;
  /** Plaintext scoped PDU TLV, or the ciphertext when the privacy flag is set. */
  scoped: Buffer;
};

/** Encodes a v3 message; returns where the MAC placeholder sits so the caller can sign it. */
export function encodeV3Message(out: V3Outgoing): { buffer: Buffer; authParamsOffset: number } {
  const security = sequence(Tag.Sequence, [
    octets(out.engineId),
    integer(out.boots),
    integer(out.time),
    octets(out.user),
    octets(Buffer.alloc(out.macLength)),
    octets(out.privParams),
  ]);
  const buffer = sequence(Tag.Sequence, [
    integer(3),
    sequence(Tag.Sequence, [
      integer(out.msgId),
      integer(65507),
      octets(Buffer.from([out.flags])),
      integer(3),
    ]),
    octets(security),
    out.flags & Flags.priv ? octets(out.scoped) : out.scoped,
  ]);
  const parsed = parseMessage(buffer) as V3Message;
  return { buffer, authParamsOffset: parsed.authParamsOffset };
}
