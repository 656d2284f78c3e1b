/** What an audit event says was attempted: `device.update` on a `device`. */
export type AuditAction = { action: string; objectType: string };

declare module "fastify" {
  interface FastifyContextConfig {
    /** Overrides the audit action derived from method and route (see `auditActionOf`). */
    audit?: AuditAction;
  }
}

const OPS = "/api/v1/inventory_device_serial_headless_operation/";

/** The routes this API had when the trail was written, named as a user reads them. */
const KNOWN: Record<string, AuditAction> = {
  [`POST ${OPS}`]: { action: "operation.create", objectType: "operation" },
  [`POST ${OPS}:id/cancel`]: { action: "operation.cancel", objectType: "operation" },
  [`POST ${OPS}:id/retry`]: { action: "operation.retry", objectType: "operation" },
  "POST /api/v1/devices/": { action: "device.create", objectType: "device" },
  "POST /api/v1/devices/import": { action: "device.import", objectType: "device" },
  "PATCH /api/v1/devices/:id": { action: "device.update", objectType: "device" },
  "DELETE /api/v1/devices/:id": { action: "device.delete", objectType: "device" },
  "POST /api/v1/tokens/": { action: "token.create", objectType: "token" },
  "DELETE /api/v1/tokens/:id": { action: "token.revoke", objectType: "token" },
  "PATCH /api/v1/organizations/:id": { action: "organization.update", objectType: "organization" },
};

const VERBS: Record<string, string> = { POST: "create", PUT: "replace", PATCH: "update", DELETE: "delete" };

/**
 * The action of a write: a route's `config.audit`, else the table above, else derived from method
 * and route so a route added later is audited without any code of its own: the first path segment
 * after `/api/v1/` is the object, a trailing literal segment the verb (`POST …/:id/rotate` → `x.rotate`),
 * else the method's verb (`PATCH /api/v1/widgets/:id` → `widgets.update`).
 */
export function auditActionOf(method: string, route: string, configured?: AuditAction): AuditAction {
  if (configured) return configured;
  const known = KNOWN[`${method} ${route}`];
  if (known) return known;
  const segments = route
    .replace(/^\/api\/v[0-9]+\//, "")
    .split("/")
    .filter((s) => s !== "");
  const objectType = segments[0] ?? "api";
  const last = segments.at(-1);
  const verb =
    segments.length > 1 && last && !last.startsWith(":") ? last : (VERBS[method] ?? method.toLowerCase());
  return { action: `${objectType}.${verb}`, objectType };
}
