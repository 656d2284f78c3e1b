import { useEffect, useState } from "preact/hooks";
import { type ApiClient, OPERATIONS, type Operation } from "./api.js";
import { followStream } from "./sse-stream.js";

/** An operation object as the streams send it: the GET's item plus the current rate. */
export type LiveOperation = Operation & { devices_per_second?: number | null };

export type StreamState = "connecting" | "live" | "retrying" | "closed";

const LIST_SIZE = 50;

/** A stream route through the typed client, its body read as a stream of events (not JSON). */
function openStream(
  api: ApiClient,
  id: string | undefined,
  lastEventId: string | undefined,
  signal: AbortSignal,
) {
  const init = { parseAs: "stream" as const, signal, headers: lastEventHeader(lastEventId) };
  const answer =
    id === undefined
      ? api.GET(`${OPERATIONS}events`, init)
      : api.GET(`${OPERATIONS}{id}/events`, { ...init, params: { path: { id } } });
  return answer.then((r) => r.response);
}

const lastEventHeader = (id: string | undefined): Record<string, string> =>
  id ? { "last-event-id": id } : {};

function upsert(list: LiveOperation[], op: LiveOperation): LiveOperation[] {
  const i = list.findIndex((o) => o.id === op.id);
  if (i >= 0) return list.map((o, j) => (j === i ? { ...o, ...op } : o));
  return [op, ...list].sort((a, b) => Number(b.id) - Number(a.id)).slice(0, LIST_SIZE);
}

/**
 * The newest operations, kept live: the first page of the GET at once, then the collection stream
 * (`…/events`): its snapshot replaces the list, each `operation` event updates or adds one.
 */
export function useLiveOperations(api: ApiClient): { operations: LiveOperation[]; state: StreamState } {
  const [operations, setOperations] = useState<LiveOperation[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  useEffect(() => {
    void api
      .GET(OPERATIONS, { params: { query: { page_size: LIST_SIZE } } })
      .then(({ data }) => data && setOperations((now) => (now.length > 0 ? now : data.results)));
    const stream = followStream((lastEventId, signal) => openStream(api, undefined, lastEventId, signal), {
      onEvent: (event, data) => {
        if (event === "snapshot") setOperations((data as { results: LiveOperation[] }).results);
        if (event === "operation") setOperations((now) => upsert(now, data as LiveOperation));
      },
      onState: (s) => setState(s),
    });
    return () => stream.stop();
  }, [api]);
  return { operations, state };
}

/** One operation, kept live: the GET at once, then `…/{id}/events` until its `finished` event. */
export function useLiveOperation(
  api: ApiClient,
  id: string,
  onChange: (op: LiveOperation) => void,
): { operation: LiveOperation | undefined; state: StreamState; problem: string | undefined } {
  const [operation, setOperation] = useState<LiveOperation>();
  const [state, setState] = useState<StreamState>("connecting");
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    setOperation(undefined);
    const apply = (op: LiveOperation) => {
      setOperation(op);
      onChange(op);
    };
    void api.GET(OPERATIONS, { params: { query: { id } } }).then(({ data, response }) => {
      const op = data?.results[0];
      if (op) setOperation((now) => now ?? op);
      else
        setProblem(response.status === 404 ? "No such operation." : `The API answered ${response.status}.`);
    });
    const stream = followStream((lastEventId, signal) => openStream(api, id, lastEventId, signal), {
      onEvent: (event, data) => {
        if (event === "snapshot" || event === "progress" || event === "finished")
          apply(data as LiveOperation);
      },
      onState: (s) => setState(s),
    });
    return () => stream.stop();
  }, [api, id, onChange]);
  return { operation, state, problem };
}
