import type { SwaggerTransform } from "@fastify/swagger";
import { createJsonSchemaTransform } from "fastify-type-provider-zod";
import type { z } from "zod";

/** A body accepted in several media types, in fastify's own per-content-type form. */
export type BodyContent = { content: Record<string, { schema: z.ZodType }> };
/** A response in a media type other than JSON (the SSE streams' `text/event-stream`). */
export type ResponseContent = BodyContent & { description: string };

const zodTransform = createJsonSchemaTransform({});

const isContent = (value: unknown): value is BodyContent =>
  typeof value === "object" && value !== null && "content" in value && !("_zod" in value);

type Input = Parameters<SwaggerTransform>[0];

/** Each media type's zod schema as JSON Schema, through the same transform as the rest. */
function contentOf(input: Input, content: BodyContent["content"]): Record<string, { schema: unknown }> {
  const out: Record<string, { schema: unknown }> = {};
  for (const [type, media] of Object.entries(content)) {
    const converted = zodTransform({ ...input, schema: { body: media.schema } });
    out[type] = { schema: (converted.schema as { body: unknown }).body };
  }
  return out;
}

/**
 * Route schemas to OpenAPI 3.1 through fastify-type-provider-zod, plus what it does not handle: a
 * body with one zod schema per media type (the operation POST takes JSON, a `data` envelope or a
 * form), and responses in another media type than JSON (Server-Sent Events).
 */
export const routeTransform: SwaggerTransform = (input) => {
  const { body, response, ...rest } = (input.schema ?? {}) as Record<string, unknown>;
  const special = Object.entries((response ?? {}) as Record<string, unknown>).filter(([, r]) => isContent(r));
  const plainResponse = Object.fromEntries(
    Object.entries((response ?? {}) as Record<string, unknown>).filter(([, r]) => !isContent(r)),
  );
  const schema = {
    ...rest,
    ...(body !== undefined && !isContent(body) ? { body } : {}),
    ...(response !== undefined ? { response: plainResponse } : {}),
  };
  const result = zodTransform({ ...input, schema: schema as Input["schema"] });
  const out = { ...(result.schema as Record<string, unknown>) };
  if (isContent(body)) out.body = { content: contentOf(input, body.content) };
  if (special.length > 0) {
    const responses = { ...((out.response ?? {}) as Record<string, unknown>) };
    for (const [status, r] of special) {
      const media = r as ResponseContent;
      responses[status] = { description: media.description, content: contentOf(input, media.content) };
    }
    out.response = responses;
  }
  return { ...result, schema: out as typeof result.schema };
};
