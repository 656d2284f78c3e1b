import type { SwaggerOptions } from "@fastify/swagger";
import type { Config } from "@headless-ops/runtime";
import { documentTransform } from "./document-transform.js";
import { routeTransform } from "./route-transform.js";

const serverOf = (publicUrl: string | undefined) =>
  publicUrl
    ? { url: publicUrl.replace(/\/+$/, ""), description: "This installation (PUBLIC_URL)" }
    : { url: "/", description: "The host serving this document (PUBLIC_URL unset)" };

/**
 * The OpenAPI 3.1 document of the API, generated from the route schemas (zod) by @fastify/swagger.
 * `servers` is PUBLIC_URL when configured; without it the document is relative to the host serving it.
 */
export function swaggerOptions(config: Config): SwaggerOptions {
  return {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "headless-ops API",
        description:
          "Inventory Device Serial Headless Operation API: scheduled bulk operations over network device inventories, the device inventory, per-device results.",
        version: "1.0.0",
        license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
      },
      servers: [serverOf(config.PUBLIC_URL)],
      tags: [
        { name: "operations", description: "Scheduled headless operations and their per-device results" },
        { name: "devices", description: "The device inventory" },
        { name: "webhooks", description: "Signed HTTP callbacks on operation events (Standard Webhooks)" },
        { name: "tokens", description: "API tokens of the admin's organizations (admin tokens only)" },
        {
          name: "organizations",
          description: "The token's organizations and their default probe rate limit",
        },
        { name: "audit", description: "The audit trail of every write (admin tokens only)" },
        {
          name: "schedules",
          description: "Recurring operations (cron in an IANA timezone) and their dry-run preview",
        },
      ],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: routeTransform,
    transformObject: documentTransform,
  };
}
