import { PassThrough } from "node:stream";
import type { FastifyReply } from "fastify";

/** Data already serialised: streams sent the same object (a shared live view) stringify it once. */
const serialised = new WeakMap<object, string>();

function toJson(data: unknown): string {
  if (typeof data !== "object" || data === null) return JSON.stringify(data);
  let json = serialised.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    serialised.set(data, json);
  }
  return json;
}

/**
 * One Server-Sent Events response. The body is a stream fastify sends like any payload (so the
 * rate-limit headers, the request log and the hooks see it as a normal response); `closed` fires
 * once, whether the server ends the stream or the client goes away.
 */
export class SseStream {
  private readonly body = new PassThrough();
  private done = false;
  private readonly onClose: (() => void)[] = [];
  private seq = 0;

  constructor(private readonly reply: FastifyReply) {
    const close = () => this.closed();
    reply.raw.on("close", close);
    this.body.on("close", close);
  }

  /** Sends the headers and starts the stream (the handler returns what this returns). */
  open(): FastifyReply {
    return (
      this.reply
        .header("content-type", "text/event-stream; charset=utf-8")
        .header("cache-control", "no-cache, no-transform")
        .header("connection", "keep-alive")
        // nginx and similar buffer responses unless told not to: events must go out as they happen.
        .header("x-accel-buffering", "no")
        .send(this.body)
    );
  }

  get isOpen(): boolean {
    return !this.done;
  }

  /**
   * One event. JSON.stringify never emits a raw newline, so `data` is a single line; the id is the
   * stream's own sequence (a reconnect with Last-Event-ID gets a fresh snapshot, not a replay).
   */
  send(event: string, data: unknown): void {
    if (this.done) return;
    this.seq += 1;
    this.body.write(`id: ${Date.now()}-${this.seq}\nevent: ${event}\ndata: ${toJson(data)}\n\n`);
  }

  /** A comment line: ignored by clients, keeps proxies from timing the connection out. */
  comment(text: string): void {
    if (!this.done) this.body.write(`: ${text}\n\n`);
  }

  /** Registers cleanup for when the stream ends, from either side. */
  whenClosed(fn: () => void): void {
    if (this.done) fn();
    else this.onClose.push(fn);
  }

  end(): void {
    if (this.done) return;
    this.body.end();
    this.closed();
  }

  private closed(): void {
    if (this.done) return;
    this.done = true;
    if (!this.body.writableEnded) this.body.end();
    for (const fn of this.onClose.splice(0)) fn();
  }
}
