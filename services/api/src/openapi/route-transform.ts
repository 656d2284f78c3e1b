import type { SwaggerTransform } from "@fastify/swagger";
import { createJsonSchemaTransform } from "fastify-type-provider-zod";
import type { z } from "zod";

/** A body accepted in several media types, in fastify's own per-content-type form. */
export type BodyContent = { content: Record<string, { schema: z.ZodType }> };

const zodTransform = createJsonSchemaTransform({});

const isBodyContent = (body: unknown): body is BodyContent =>
  typeof body === "object" && body !== null && "content" in body && !("_zod" in body);

/**
 * Route schemas to OpenAPI 3.1 through fastify-type-provider-zod, plus what it does not handle: a
 * body with one zod schema per media type (the operation POST takes JSON, a `data` envelope or a form).
 */
export const routeTransform: SwaggerTransform = (input) => {
  const body = input.schema?.body;
  if (!isBodyContent(body)) return zodTransform(input);
  const { body: _body, ...rest } = input.schema;
  const result = zodTransform({ ...input, schema: rest });
  const content: Record<string, { schema: unknown }> = {};
  for (const [type, media] of Object.entries(body.content)) {
    const converted = zodTransform({ ...input, schema: { body: media.schema } });
    content[type] = { schema: (converted.schema as { body: unknown }).body };
  }
  return { ...result, schema: { ...result.schema, body: { content } } };
};
