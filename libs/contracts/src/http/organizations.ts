import { z } from "zod";
import { MaxDevicesPerSecond } from "./operations.js";

/** An organization as a token that holds it sees it. */
export const OrganizationView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    /** Default probe rate of its operations that set no `options.max_devices_per_second`; null: none. */
    max_devices_per_second: z.number().int().nullable(),
    created_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "Organization" });
export type OrganizationView = z.infer<typeof OrganizationView>;

/** `PATCH /api/v1/organizations/{id}` (admins): null removes the default. */
export const OrganizationPatch = z
  .strictObject({ max_devices_per_second: MaxDevicesPerSecond.nullable().optional() })
  .meta({ id: "OrganizationPatch" });
export type OrganizationPatch = z.infer<typeof OrganizationPatch>;
