/** One Server-Sent Event as a client sees it. */
export type SseEvent = { id: string | undefined; event: string; data: unknown };

export type SseConnection = {
  status: number;
  headers: Headers;
  /** The next event (comments skipped); rejects after `timeoutMs`. Undefined once the stream ended. */
  next: (timeoutMs?: number) => Promise<SseEvent | undefined>;
  /** Comment lines seen so far (`: heartbeat`). */
  comments: () => string[];
  close: () => void;
};

/**
 * A minimal fetch-based SSE reader for tests and benchmarks: the server writes one `data:` JSON line
 * per event, so blocks split on a blank line are whole events. Authenticates with a header, as the
 * dashboard and the CLI do (no token in the URL).
 */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const comments: string[] = [];
  const queue: SseEvent[] = [];

  const parseBlocks = () => {
    for (let at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) comments.push(line.slice(1).trim());
        const m = /^(\w+): ?(.*)$/.exec(line);
        if (m?.[1]) fields[m[1]] = m[2] ?? "";
      }
      if (fields.data !== undefined) {
        queue.push({ id: fields.id, event: fields.event ?? "message", data: JSON.parse(fields.data) });
      }
    }
  };

  const next = async (timeoutMs = 10_000): Promise<SseEvent | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0 && !ended) {
      if (!reader) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk === "timeout") throw new Error(`no SSE event within ${timeoutMs} ms`);
      if (chunk.done) ended = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
      parseBlocks();
    }
    return queue.shift();
  };

  return {
    status: res.status,
    headers: res.headers,
    next,
    comments: () => [...comments],
    close: () => abort.abort(),
  };
}
