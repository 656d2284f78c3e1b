import { parseOid, Tag, unsigned } from "./ber.js";
import type { DeviceSpec } from "./fleet-model.js";
import { MibView } from "./mib-view.js";
import {
  type CommunityMessage,
  encodeCommunityMessage,
  encodePdu,
  encodeScopedPdu,
  encodeV3Message,
  Flags,
  type Pdu,
  parseMessage,
  parseScopedPdu,
  type V3Message,
  type Varbind,
} from "./snmp-message.js";
import { aesDecrypt, aesEncrypt, localizeKey, macLength, messageMac } from "./usm.js";

/*
 * One virtual device's SNMP agent: community check for v2c, the USM steps of RFC 3414 §3.2 for v3 (with
 * the usmStats reports real agents send, so a wrong password is distinguishable from a dead device), and
 * GET / GETNEXT / GETBULK over the device's MIB view. Pure request → response; sockets live elsewhere.
 */

const usmStats = {
  unsupportedSecLevel: 1,
  unknownUserName: 3,
  unknownEngineId: 4,
  wrongDigest: 5,
  decryptionError: 6,
};
const ErrorStatus = { noError: 0, genErr: 5, noAccess: 6, authorizationError: 16 };
const maxBulkVarbinds = 128;

export class DeviceAgent {
  private mib: MibView | null = null;
  private keys: { auth: Buffer | null; priv: Buffer | null } | null = null;
  private reportCounter = 0;
  private saltCounter = 0;

  constructor(
    public spec: DeviceSpec,
    private readonly startedAtMs: number,
  ) {}

  /** Call after changing `spec` (e.g. a swapped serial). */
  invalidate(): void {
    this.mib = null;
  }

  private view(): MibView {
    if (!this.mib) {
      const bootedAt = this.startedAtMs - this.spec.bootedAtOffsetS * 1000;
      this.mib = new MibView(this.spec, () => Math.floor((Date.now() - bootedAt) / 10) % 2 ** 32);
    }
    return this.mib;
  }

  private engineTime(): number {
    return Math.floor((Date.now() - this.startedAtMs) / 1000) + 1;
  }

  /** The response to one datagram, or null when a real agent would stay silent. */
  respond(packet: Buffer): Buffer | null {
    let message: CommunityMessage | V3Message;
    try {
      message = parseMessage(packet);
    } catch {
      return null; // real agents count snmpInASNParseErrs and drop
    }
    if (message.version !== 3) {
      const access = this.spec.access;
      if (access.version !== "v2c" || message.community !== access.community) return null;
      const pdu = this.answer(message.pdu);
      return pdu && encodeCommunityMessage(message.version, message.community, pdu);
    }
    return this.respondV3(message);
  }

  private answer(pdu: Pdu): Buffer | null {
    const view = this.view();
    let varbinds: Varbind[];
    switch (pdu.type) {
      case Tag.GetRequest:
        varbinds = pdu.oids.map((o) => ({ oid: o, value: view.get(o) }));
        break;
      case Tag.GetNextRequest:
        varbinds = pdu.oids.map((o) => view.next(o));
        break;
      case Tag.GetBulkRequest:
        varbinds = this.bulk(view, pdu);
        break;
      case Tag.SetRequest:
        return encodePdu(
          Tag.GetResponse,
          pdu.requestId,
          ErrorStatus.noAccess,
          1,
          pdu.oids.map((o) => ({ oid: o, value: Buffer.from([5, 0]) })),
        );
      default:
        return null;
    }
    return encodePdu(Tag.GetResponse, pdu.requestId, ErrorStatus.noError, 0, varbinds);
  }

  private bulk(view: MibView, pdu: Pdu): Varbind[] {
    const nonRepeaters = Math.max(0, Math.min(pdu.a, pdu.oids.length));
    const out: Varbind[] = pdu.oids.slice(0, nonRepeaters).map((o) => view.next(o));
    let cursors = pdu.oids.slice(nonRepeaters);
    for (let r = 0; r < Math.max(0, pdu.b) && cursors.length > 0 && out.length < maxBulkVarbinds; r++) {
      const row = cursors.map((o) => view.next(o));
      out.push(...row);
      if (row.every((vb) => vb.value[0] === Tag.EndOfMibView)) break;
      cursors = row.map((vb) => [...vb.oid]);
    }
    return out.slice(0, maxBulkVarbinds);
  }

  private localizedKeys(): { auth: Buffer | null; priv: Buffer | null } {
    if (!this.keys) {
      const a = this.spec.access;
      const auth =
        a.version === "v3" && a.authProtocol && a.authKey
          ? localizeKey(a.authProtocol, a.authKey, this.spec.engineId)
          : null;
      const priv =
        a.version === "v3" && a.authProtocol && a.privKey
          ? localizeKey(a.authProtocol, a.privKey, this.spec.engineId)
          : null;
      this.keys = { auth, priv };
    }
    return this.keys;
  }

  private report(request: V3Message, stat: number, requestId = 0): Buffer | null {
    if (!(request.flags & Flags.reportable)) return null;
    this.reportCounter++;
    const pdu = encodePdu(Tag.Report, requestId, 0, 0, [
      { oid: parseOid(`1.3.6.1.6.3.15.1.1.${stat}.0`), value: unsigned(this.reportCounter, Tag.Counter32) },
    ]);
    return encodeV3Message({
      msgId: request.msgId,
      flags: 0,
      engineId: this.spec.engineId,
      boots: 1,
      time: this.engineTime(),
      user: request.user,
      macLength: 0,
      privParams: Buffer.alloc(0),
      scoped: encodeScopedPdu(this.spec.engineId, "", pdu),
    }).buffer;
  }

  private respondV3(msg: V3Message): Buffer | null {
    const access = this.spec.access;
    if (msg.securityModel !== 3) return null;
    if (!msg.engineId.equals(this.spec.engineId)) return this.report(msg, usmStats.unknownEngineId);
    if (access.version !== "v3" || msg.user !== access.user)
      return this.report(msg, usmStats.unknownUserName);
    const wantsAuth = (msg.flags & Flags.auth) !== 0;
    const wantsPriv = (msg.flags & Flags.priv) !== 0;
    const hasAuth = access.level !== "noAuthNoPriv";
    const hasPriv = access.level === "authPriv";
    if ((wantsAuth && !hasAuth) || (wantsPriv && !hasPriv) || (wantsPriv && !wantsAuth)) {
      return this.report(msg, usmStats.unsupportedSecLevel);
    }
    const keys = this.localizedKeys();
    const authProtocol = access.authProtocol ?? "sha";
    if (wantsAuth) {
      const copy = Buffer.from(msg.packet);
      copy.fill(0, msg.authParamsOffset, msg.authParamsOffset + msg.authParams.length);
      const expected = messageMac(authProtocol, keys.auth as Buffer, copy);
      if (!expected.equals(msg.authParams)) return this.report(msg, usmStats.wrongDigest);
    }
    let scoped = msg.scoped;
    if (wantsPriv) {
      try {
        scoped = aesDecrypt(keys.priv as Buffer, msg.boots, msg.time, msg.privParams, msg.scoped);
      } catch {
        return this.report(msg, usmStats.decryptionError);
      }
    }
    let pdu: Pdu;
    try {
      pdu = parseScopedPdu(scoped).pdu;
    } catch {
      return wantsPriv ? this.report(msg, usmStats.decryptionError) : null;
    }
    // A request below the user's level passes USM but fails access control (VACM).
    const answer =
      (hasAuth && !wantsAuth) || (hasPriv && !wantsPriv)
        ? encodePdu(Tag.GetResponse, pdu.requestId, ErrorStatus.authorizationError, 0, [])
        : this.answer(pdu);
    if (!answer) return null;
    return this.signAndSeal(msg, answer, keys, authProtocol);
  }

  private signAndSeal(
    msg: V3Message,
    pdu: Buffer,
    keys: { auth: Buffer | null; priv: Buffer | null },
    authProtocol: "sha" | "sha256",
  ): Buffer {
    const flags = msg.flags & (Flags.auth | Flags.priv);
    const time = this.engineTime();
    let scoped = encodeScopedPdu(this.spec.engineId, "", pdu);
    let privParams = Buffer.alloc(0);
    if (flags & Flags.priv) {
      privParams = Buffer.alloc(8);
      privParams.writeUInt32BE(this.spec.index, 0);
      privParams.writeUInt32BE(++this.saltCounter >>> 0, 4);
      scoped = aesEncrypt(keys.priv as Buffer, 1, time, privParams, scoped);
    }
    const { buffer, authParamsOffset } = encodeV3Message({
      msgId: msg.msgId,
      flags,
      engineId: this.spec.engineId,
      boots: 1,
      time,
      user: msg.user,
      macLength: flags & Flags.auth ? macLength(authProtocol) : 0,
      privParams,
      scoped,
    });
    if (flags & Flags.auth)
      messageMac(authProtocol, keys.auth as Buffer, buffer).copy(buffer, authParamsOffset);
    return buffer;
  }
}
