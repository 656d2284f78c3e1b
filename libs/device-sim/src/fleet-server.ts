import { createSocket, type Socket } from "node:dgram";
import { DeviceAgent } from "./agent.js";
import { buildFleet, type DeviceSpec, type FleetOptions, mulberry32 } from "./fleet-model.js";

/*
 * Serves a fleet over real UDP: one socket per device on its own loopback address (so the kernel does the
 * demultiplexing and answers ICMP port-unreachable for "unreachable" devices, which get no socket), one
 * DeviceAgent per device, and the behaviours that need time: latency, silence, flapping, malformed replies.
 */

export type StartFleetOptions = FleetOptions & {
  /** Flapping devices answer for one period, then stay silent for the next. */
  flapPeriodMs?: number;
};

export type SerialChange = { index: number; hostname: string; before: string; after: string };

export type Fleet = {
  readonly devices: readonly DeviceSpec[];
  /** Milliseconds from call to every socket bound. */
  readonly startupMs: number;
  /** Replaces the chassis serial of `count` answering devices (hardware swapped behind the inventory's back). */
  swapSerials(count: number): SerialChange[];
  stats(): { requests: number; responses: number };
  stop(): Promise<void>;
};

const malformedReply = Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x01, 0x04, 0x7f]);
const bindBatch = 1_000;

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once("error", onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

export async function startFleet(options: StartFleetOptions): Promise<Fleet> {
  const started = performance.now();
  const startedAtMs = Date.now();
  const devices = buildFleet(options);
  const agents = devices.map((spec) => new DeviceAgent(spec, startedAtMs));
  const flapPeriodMs = options.flapPeriodMs ?? 5_000;
  const sockets: Socket[] = [];
  const counters = { requests: 0, responses: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const handle = (agent: DeviceAgent, socket: Socket, packet: Buffer, port: number, address: string) => {
    counters.requests++;
    const spec = agent.spec;
    if (spec.behaviour === "silent" || stopping) return;
    if (
      spec.behaviour === "flapping" &&
      Math.floor((Date.now() - startedAtMs) / flapPeriodMs + spec.index * 0.5) % 2 === 1
    )
      return;
    const reply = spec.behaviour === "malformed" ? malformedReply : agent.respond(packet);
    if (!reply) return;
    const send = () => {
      if (stopping) return;
      counters.responses++;
      socket.send(reply, port, address);
    };
    if (spec.latencyMs <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, spec.latencyMs);
    timers.add(timer);
  };

  for (let from = 0; from < agents.length; from += bindBatch) {
    const batch = agents.slice(from, from + bindBatch).filter((a) => a.spec.behaviour !== "unreachable");
    await Promise.all(
      batch.map(async (agent) => {
        const socket = createSocket({ type: "udp4" });
        sockets.push(socket);
        await bind(socket, agent.spec.port, agent.spec.address);
        agent.spec.port = socket.address().port;
        socket.on("message", (packet, rinfo) => handle(agent, socket, packet, rinfo.port, rinfo.address));
        socket.on("error", () => {}); // a send to a vanished client must not crash the simulator
      }),
    ).catch(async (err: unknown) => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
      throw err;
    });
  }
  // Unreachable devices never bind; give them a port anyway so their inventory rows are complete.
  const anyPort = agents.find((a) => a.spec.behaviour !== "unreachable")?.spec.port ?? 1161;
  for (const agent of agents) if (agent.spec.port === 0) agent.spec.port = anyPort;

  let swapRound = 0;
  let closed: Promise<void> | null = null;
  return {
    devices,
    startupMs: Math.round(performance.now() - started),
    swapSerials(count) {
      const rng = mulberry32((options.seed ^ 0x5eed) + ++swapRound);
      const candidates = agents.filter((a) => a.spec.behaviour === "ok" && a.spec.serial !== "");
      const changes: SerialChange[] = [];
      while (changes.length < Math.min(count, candidates.length)) {
        const agent = candidates.splice(Math.floor(rng() * candidates.length), 1)[0] as DeviceAgent;
        const before = agent.spec.serial;
        const tail = Math.floor(rng() * 36 ** 4)
          .toString(36)
          .toUpperCase()
          .padStart(4, "0");
        const after = `${before.slice(0, -4)}${tail === before.slice(-4) ? "ZZZZ" : tail}`;
        agent.spec.serial = after;
        agent.invalidate();
        changes.push({ index: agent.spec.index, hostname: agent.spec.hostname, before, after });
      }
      return changes;
    },
    stats: () => ({ ...counters }),
    stop() {
      closed ??= (async () => {
        stopping = true;
        for (const timer of timers) clearTimeout(timer);
        await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      })();
      return closed;
    },
  };
}
