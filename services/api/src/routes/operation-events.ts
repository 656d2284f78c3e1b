import { ErrorBody, OperationListEventsQuery } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError, notFound } from "../errors.js";
import { streamOperationList } from "../events/list-stream.js";
import { streamOperation } from "../events/operation-stream.js";
import { SseStream } from "../events/sse-stream.js";
import { OPERATIONS_PATH } from "../operations/operation-view.js";
import { findOperation, listOperations } from "../operations/query.js";
import { listErrorResponses, readErrorResponses } from "./responses.js";

const Params = z.object({ id: z.string().max(32) });
const busy = { 503: ErrorBody.describe("SSE_MAX_STREAMS streams are open on this server; retry later") };
const LIST_SNAPSHOT_SIZE = 50;

const eventStream = (description: string) => ({
  description,
  content: {
    "text/event-stream": {
      schema: z.string().describe("Server-Sent Events: `id:`, `event:` and one `data:` JSON line per event"),
    },
  },
});

const operationStreamDoc =
  "Server-Sent Events. First `event: snapshot` (the operation as one item of the list's `results`, plus `devices_per_second`), " +
  "then `event: progress` with the same shape (absolute values, at most SSE_MAX_EVENTS_PER_SECOND per second), then " +
  "`event: finished` with the final state, and the stream ends. An operation already ended gets `snapshot` and `finished` at once. " +
  "A `: heartbeat` comment every SSE_HEARTBEAT_MS; every event has an `id:`, and a reconnect (with `Last-Event-ID`) starts with a fresh snapshot.";

const listStreamDoc =
  'Server-Sent Events. First `event: snapshot` with `{"results": [...]}` (the newest visible operations, at most 50, ' +
  "each as a list item plus `devices_per_second`), then `event: operation` with one operation whenever a visible one changes " +
  "or a new one appears. Heartbeats as on the per-operation stream; never ends by itself.";

/** The live-progress streams (SSE) of one operation and of the operations list. */
export function operationEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config } = ctx;
  const minIntervalMs = Math.ceil(1000 / config.SSE_MAX_EVENTS_PER_SECOND);
  const checkCapacity = () => {
    if (ctx.hub.streams >= config.SSE_MAX_STREAMS) {
      throw new HttpError(503, "Too many open event streams on this server; retry later.");
    }
  };

  r.get(
    `${OPERATIONS_PATH}:id/events`,
    {
      schema: {
        operationId: "streamOperationEvents",
        summary: "Live progress of an operation (Server-Sent Events)",
        description: operationStreamDoc,
        tags: ["operations"],
        params: Params,
        response: { 200: eventStream("The event stream"), ...readErrorResponses, ...busy },
      },
    },
    async (req, reply) => {
      const row = await findOperation(ctx.pool, principalOf(req), req.params.id);
      if (!row) throw notFound();
      checkCapacity();
      const stream = new SseStream(reply);
      stream.whenClosed(ctx.hub.track(() => stream.end()));
      const sent = stream.open();
      streamOperation({ hub: ctx.hub, stream, row, heartbeatMs: config.SSE_HEARTBEAT_MS, minIntervalMs });
      return sent;
    },
  );

  r.get(
    `${OPERATIONS_PATH}events`,
    {
      schema: {
        operationId: "streamOperationListEvents",
        summary: "Live changes of the operations list (Server-Sent Events)",
        description: listStreamDoc,
        tags: ["operations"],
        querystring: OperationListEventsQuery,
        response: {
          200: eventStream("The event stream"),
          ...(({ 400: _bad, 404: _, ...rest }) => rest)(listErrorResponses),
          ...busy,
        },
      },
    },
    async (req, reply) => {
      const principal = principalOf(req);
      checkCapacity();
      const { rows } = await listOperations(
        ctx.pool,
        principal,
        { organizationId: req.query.organization_id },
        { page: 1, pageSize: LIST_SNAPSHOT_SIZE, offset: 0 },
      );
      const stream = new SseStream(reply);
      stream.whenClosed(ctx.hub.track(() => stream.end()));
      const sent = stream.open();
      streamOperationList({
        hub: ctx.hub,
        stream,
        rows,
        organizationIds: principal.organizationIds,
        organizationId: req.query.organization_id,
        heartbeatMs: config.SSE_HEARTBEAT_MS,
        minIntervalMs,
      });
      return sent;
    },
  );
}
