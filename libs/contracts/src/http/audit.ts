import { z } from "zod";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });

/** One write request as the audit trail keeps it: who, where, what, how it ended. Never a body. */
export const AuditEventView = z
  .object({
    id: z.string(),
    created_at: Iso,
    token_id: z.string().nullable(),
    organization_ids: z.array(z.number().int()),
    action: z.string().describe("e.g. device.create, operation.cancel, token.revoke"),
    object_type: z.string(),
    object_id: z.string().nullable().describe("The id in the path, or of the object created"),
    method: z.string(),
    route: z.string(),
    status_code: z.number().int(),
    request_id: z.string(),
  })
  .meta({ id: "AuditEvent" });
export type AuditEventView = z.infer<typeof AuditEventView>;

export const AuditListQuery = PageQuery.extend({
  action: z.string().max(100).optional(),
  object_type: z.string().max(100).optional(),
  object_id: z.string().max(100).optional(),
  token_id: z
    .string()
    .regex(/^[0-9]{1,18}$/, "a token id")
    .optional(),
  /** Inclusive lower and exclusive upper bound on `created_at`. */
  since: Iso.optional(),
  until: Iso.optional(),
});
