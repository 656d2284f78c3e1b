import { setTimeout as sleep } from "node:timers/promises";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { formatApiError, networkError } from "./api-error.js";
import { CliError } from "./cli-error.js";
import { type OperationEvent, operationEventSchema } from "./operation-event.js";

export type StreamEvent = { type: "snapshot" | "progress" | "finished"; operation: OperationEvent };

export type EventStreamOptions = {
  baseUrl: string;
  token: string;
  operationId: string;
  signal?: AbortSignal;
  /** Consecutive failed connection attempts before giving up (each waits the retry delay). */
  maxAttempts?: number;
  /** Called before each reconnect, so the view can say the connection dropped. */
  onReconnect?: (attempt: number, reason: string) => void;
};

const DEFAULT_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;

/**
 * The operation's SSE stream (`…/{id}/events`) read with fetch, so the token goes in a header and
 * never in a URL. Yields each snapshot/progress/finished event and returns after `finished`. A
 * dropped connection is resumed with `Last-Event-ID` (the server answers with a fresh snapshot);
 * 4xx answers are final and thrown as the API's error.
 */
export async function* operationEvents(opts: EventStreamOptions): AsyncGenerator<StreamEvent> {
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/api/v1/inventory_device_serial_headless_operation/${encodeURIComponent(opts.operationId)}/events`;
  let lastEventId: string | undefined;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  const maxAttempts = opts.maxAttempts ?? 30;
  for (;;) {
    let reason: string;
    try {
      const res = await fetch(url, {
        headers: {
          accept: "text/event-stream",
          authorization: `Bearer ${opts.token}`,
          ...(lastEventId ? { "last-event-id": lastEventId } : {}),
        },
        signal: opts.signal ?? null,
      });
      if (res.status >= 400 && res.status < 500) {
        throw new CliError(formatApiError(res.status, await res.json().catch(() => undefined)), undefined, {
          status: res.status,
        });
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const events = res.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retryMs = ms) }));
      for await (const message of events) {
        if (message.id) lastEventId = message.id;
        const event = toStreamEvent(message.event, message.data);
        if (!event) continue;
        failures = 0;
        yield event;
        if (event.type === "finished") return;
      }
      reason = "the server closed the stream";
    } catch (err) {
      if (err instanceof CliError || opts.signal?.aborted) throw err;
      reason = networkError(url, err).message;
    }
    failures += 1;
    if (failures >= maxAttempts) throw new CliError(`event stream lost: ${reason}`);
    opts.onReconnect?.(failures, reason);
    await sleep(Math.min(retryMs * failures, MAX_RETRY_MS), undefined, { signal: opts.signal });
  }
}

function toStreamEvent(type: string | undefined, data: string): StreamEvent | undefined {
  if (type !== "snapshot" && type !== "progress" && type !== "finished") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new CliError(`the server sent a ${type} event that is not JSON`);
  }
  const parsed = operationEventSchema.safeParse(json);
  if (!parsed.success)
    throw new CliError(`the server sent an unexpected ${type} event: ${parsed.error.message}`);
  return { type, operation: parsed.data };
}
