import { createSocket, type Socket } from "node:dgram";
import type { SnmpCredentials } from "@headless-ops/contracts";
import snmp from "net-snmp";
import { forgetEngine, rememberEngine, seedEngine } from "./engine-cache.js";

/*
 * One short-lived net-snmp session per probe, over a *connected* UDP socket: the kernel then reports ICMP
 * port/host unreachable as ECONNREFUSED/EHOSTUNREACH instead of letting the request time out, so
 * `unreachable` is told apart from `connection_timeouts`. Socket errors and unparseable datagrams fail the
 * pending request at once; the abort signal (the probe deadline) closes everything.
 */

export type SnmpTarget = { address: string; port: number };
export type SessionTiming = { timeoutMs: number; retries: number };

const authProtocols = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
} as const;
const privProtocols = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
} as const;
const levels = {
  noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv,
  authNoPriv: snmp.SecurityLevel.authNoPriv,
  authPriv: snmp.SecurityLevel.authPriv,
} as const;

/** Our local engine id: fixed, so net-snmp does not draw random bytes for every session. */
const localEngineId = Buffer.from("80001f880400686561646c6573732d6f7073", "hex");

/** A dgram module for net-snmp whose sockets are connected to the target before the first send. */
function connectedDgram(target: SnmpTarget, onSocketError: (err: Error) => void) {
  return {
    createSocket(type: "udp4" | "udp6"): Socket {
      const socket = createSocket(type);
      const queued: Array<() => void> = [];
      let connected = false;
      socket.on("error", onSocketError);
      socket.connect(target.port, target.address, () => {
        connected = true;
        for (const send of queued.splice(0)) send();
      });
      const send = socket.send.bind(socket) as (
        b: Buffer,
        o: number,
        l: number,
        cb?: (e: Error | null) => void,
      ) => void;
      Object.assign(socket, {
        send(
          buf: Buffer,
          offset: number,
          length: number,
          _port: unknown,
          _address: unknown,
          cb?: (e: Error | null) => void,
        ) {
          const go = () => send(buf, offset, length, cb);
          if (connected) go();
          else queued.push(go);
        },
      });
      return socket;
    },
  };
}

export class SnmpSession {
  private readonly session: snmp.Session;
  private failure: Error | null = null;
  private readonly pending = new Set<(err: Error) => void>();
  private closed = false;
  private errored = false;
  private readonly v3Target: string | null;
  private readonly detach: () => void;

  constructor(target: SnmpTarget, credentials: SnmpCredentials, timing: SessionTiming, signal: AbortSignal) {
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const reject of this.pending) reject(err);
      this.pending.clear();
    };
    const options = {
      port: target.port,
      timeout: timing.timeoutMs,
      retries: timing.retries,
      transport: target.address.includes(":") ? ("udp6" as const) : ("udp4" as const),
      dgramModule: connectedDgram(target, fail),
      engineID: localEngineId,
    };
    if (credentials.version === "v2c") {
      this.session = snmp.createSession(target.address, credentials.community, {
        ...options,
        version: snmp.Version2c,
      });
    } else {
      const user: snmp.User = { name: credentials.user, level: levels[credentials.security_level] };
      if (credentials.security_level !== "noAuthNoPriv" && credentials.auth_protocol) {
        user.authProtocol = authProtocols[credentials.auth_protocol];
        user.authKey = credentials.auth_key;
      }
      if (credentials.security_level === "authPriv" && credentials.priv_protocol) {
        user.privProtocol = privProtocols[credentials.priv_protocol];
        user.privKey = credentials.priv_key;
      }
      this.session = snmp.createV3Session(target.address, user, options);
    }
    this.v3Target =
      credentials.version === "v3" ? `${target.address}/${target.port}/${credentials.user}` : null;
    if (this.v3Target) seedEngine(this.session, this.v3Target);
    // net-snmp emits "error" for datagrams it cannot parse: a malformed answer from the device.
    this.session.on("error", (err: unknown) => fail(new MalformedResponseError({ cause: err })));
    // Probes may share one deadline signal: the listener goes away with the session.
    const onAbort = () => fail(new DeadlineError());
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.detach = () => signal.removeEventListener("abort", onAbort);
  }

  private call<T>(start: (done: (err: Error | null, result?: T) => void) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      const settle = (err: Error | null, result?: T) => {
        this.pending.delete(reject);
        if (err) this.errored = true;
        if (err) reject(err);
        else resolve(result as T);
      };
      this.pending.add(reject);
      try {
        start(settle);
      } catch (err) {
        settle(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  get(oids: string[]): Promise<snmp.Varbind[]> {
    return this.call((done) => this.session.get(oids, (err, varbinds) => done(err, varbinds)));
  }

  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<snmp.Varbind[]> {
    return this.call((done) =>
      this.session.getBulk(oids, nonRepeaters, maxRepetitions, (err, varbinds) =>
        done(err, varbinds as snmp.Varbind[]),
      ),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    if (this.v3Target) {
      if (this.failure || this.errored) forgetEngine(this.v3Target);
      else rememberEngine(this.session, this.v3Target);
    }
    try {
      this.session.close();
    } catch {
      // the socket may already be closed after an error
    }
  }
}

/** The device answered with a datagram that is not a well-formed SNMP message. */
export class MalformedResponseError extends Error {
  override readonly name = "MalformedResponseError";
  constructor(options: { cause: unknown }) {
    super("malformed SNMP response", options);
  }
}

/** The probe's deadline passed while a request was in flight. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}
