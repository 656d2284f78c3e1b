import { type EventSourceMessage, EventSourceParserStream } from "eventsource-parser/stream";

/**
 * Server-Sent Events over fetch, so the token goes in the Authorization header (EventSource cannot
 * send headers, and a token in the URL would land in access logs). `open` makes the request (the
 * typed client); each message is parsed by eventsource-parser. When the stream breaks, it reconnects
 * with `Last-Event-ID` after a growing delay (the server answers a fresh snapshot first); when the
 * server ends it on purpose (`finished`), or `stop()` is called, it stays closed.
 */
export type StreamHandlers = {
  onEvent: (event: string, data: unknown) => void;
  /** Connection state for the page's "live" indicator. */
  onState?: (state: "connecting" | "live" | "retrying" | "closed", problem?: string) => void;
};

export type OpenStream = (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export function followStream(open: OpenStream, handlers: StreamHandlers): { stop: () => void } {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let delay = RETRY_MIN_MS;
  let ended = false;

  const readOnce = async (): Promise<void> => {
    handlers.onState?.("connecting");
    const res = await open(lastEventId, abort.signal);
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      // Not a transient fault: retrying cannot help.
      ended = true;
      handlers.onState?.("closed", `${res.status} ${res.statusText}`);
      return;
    }
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    handlers.onState?.("live");
    delay = RETRY_MIN_MS;
    const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const message of events as unknown as AsyncIterable<EventSourceMessage>) {
      if (message.id) lastEventId = message.id;
      handlers.onEvent(message.event ?? "message", JSON.parse(message.data) as unknown);
      if (message.event === "finished") ended = true;
    }
  };

  void (async () => {
    while (!abort.signal.aborted && !ended) {
      try {
        await readOnce();
      } catch (err) {
        if (abort.signal.aborted) break;
        handlers.onState?.("retrying", (err as Error).message);
      }
      if (ended || abort.signal.aborted) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
    handlers.onState?.("closed");
  })();

  return { stop: () => abort.abort() };
}
