import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type pg from "pg";
import { auditActionOf } from "./audit-action.js";
import { insertAuditEvent } from "./audit-repository.js";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Only the leading `"id"` of a created object's view is read, never the rest of a body: views put
// `id` first, and a 10,000-device batch answer is not parsed just to find out it has none.
const CREATED_ID = /^\{"id":"([0-9]{1,20})"/;
// A path id is whatever the client typed (NUL bytes, megabytes of unicode): kept only when it looks like one.
const PLAIN_ID = /^[0-9A-Za-z._-]{1,32}$/;

function objectIdOf(req: FastifyRequest, reply: FastifyReply, payload: unknown): string | null {
  const params = req.params as Record<string, unknown> | undefined;
  if (typeof params?.id === "string") return PLAIN_ID.test(params.id) ? params.id : "(invalid)";
  if (reply.statusCode !== 201 || typeof payload !== "string") return null;
  return CREATED_ID.exec(payload.slice(0, 64))?.[1] ?? null;
}

/**
 * The audit trail, in one place: every write request of an authenticated token under `/api/`, on any
 * route (those added later included), is recorded before its answer leaves, whatever the answer —
 * 2xx, a 403 or a 422. Only who, organizations, action, object, status and request id are kept; no
 * body, header or query string, so no credential or token secret can reach the table. A failed insert
 * is logged and does not turn a done write into an error.
 */
export function installAuditTrail(app: FastifyInstance, pool: pg.Pool): void {
  app.addHook("onSend", async (req, reply, payload) => {
    const route = req.routeOptions.url;
    const principal = req.principal;
    if (READ_METHODS.has(req.method) || !principal || !route?.startsWith("/api/")) return payload;
    const { action, objectType } = auditActionOf(req.method, route, req.routeOptions.config.audit);
    await insertAuditEvent(pool, {
      tokenId: principal.tokenId,
      organizationIds: principal.organizationIds,
      action,
      objectType,
      objectId: objectIdOf(req, reply, payload),
      method: req.method,
      route,
      statusCode: reply.statusCode,
      requestId: String(req.id),
    }).catch((err: unknown) => req.log.error({ err, action, reqId: req.id }, "audit event not written"));
    return payload;
  });
}
