import { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/** How much of a refused body is read and thrown away so the client gets the answer, at most. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 5_000;

/**
 * A request answered before its body was read to the end (refused as too large, a bad CSV header…)
 * usually has a client still sending. Closing at once (fastify's `connection: close`) closes a
 * socket with unread data, the kernel answers with a reset, and the client loses the 4xx. So the
 * rest is read and discarded — nothing of it kept, never parsed — up to DRAIN_MAX_BYTES or
 * DRAIN_MAX_MS, then the socket is destroyed. In-process injection (tests) has no socket to linger on.
 */
export function installLingeringClose(app: FastifyInstance): void {
  app.addHook("onSend", async (req, reply, payload) => {
    const raw = req.raw;
    const socket = raw.socket;
    if (raw.complete || !(socket instanceof Socket)) return payload;
    if (Number(req.headers["content-length"] ?? 0) > DRAIN_MAX_BYTES) return payload;
    void reply.removeHeader("connection");
    let seen = 0;
    const timer = setTimeout(() => socket.destroy(), DRAIN_MAX_MS);
    timer.unref();
    raw.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) socket.destroy();
    });
    raw.once("end", () => clearTimeout(timer));
    raw.once("close", () => clearTimeout(timer));
    raw.resume();
    return payload;
  });
}
