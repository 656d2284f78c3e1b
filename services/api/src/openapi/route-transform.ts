import type { SwaggerTransform } from "@fastify/swagger";
import { createJsonSchemaTransform } from "fastify-type-provider-zod";
import type { z } from "zod";

/** A body (or a response) in several media types, in fastify's own per-content-type form. */
export type BodyContent = { content: Record<string, { schema: z.ZodType }>; description?: string };

const zodTransform = createJsonSchemaTransform({});

const isBodyContent = (body: unknown): body is BodyContent =>
  typeof body === "object" && body !== null && "content" in body && !("_zod" in body);

type Input = Parameters<SwaggerTransform>[0];

function contentOf(input: Input, media: BodyContent, slot: "body" | "response"): Record<string, unknown> {
  const content: Record<string, { schema: unknown }> = {};
  for (const [type, entry] of Object.entries(media.content)) {
    const schema = slot === "body" ? { body: entry.schema } : { response: { 200: entry.schema } };
    const converted = zodTransform({ ...input, schema }).schema as Record<string, unknown>;
    content[type] = {
      schema: slot === "body" ? converted.body : (converted.response as Record<string, unknown>)[200],
    };
  }
  return content;
}

/**
 * Route schemas to OpenAPI 3.1 through fastify-type-provider-zod, plus what it does not handle: a
 * body with one zod schema per media type (the operation POST takes JSON, a `data` envelope or a form),
 * and a response in several media types (the report: JSON, CSV or NDJSON).
 */
export const routeTransform: SwaggerTransform = (input) => {
  const { body, response, ...plain } = input.schema ?? {};
  const responses = (response ?? {}) as Record<string, unknown>;
  const multi = Object.entries(responses).filter(([, r]) => isBodyContent(r));
  if (!isBodyContent(body) && multi.length === 0) return zodTransform(input);
  const single = Object.fromEntries(Object.entries(responses).filter(([, r]) => !isBodyContent(r)));
  const rest = {
    ...plain,
    ...(isBodyContent(body) || body === undefined ? {} : { body }),
    ...(response === undefined ? {} : { response: single }),
  };
  const result = zodTransform({ ...input, schema: rest });
  const schema = { ...result.schema } as Record<string, unknown>;
  if (isBodyContent(body)) schema.body = { content: contentOf(input, body, "body") };
  if (multi.length > 0) {
    const out = { ...(schema.response as Record<string, unknown>) };
    for (const [status, r] of multi) {
      const media = r as BodyContent;
      out[status] = { description: media.description, content: contentOf(input, media, "response") };
    }
    schema.response = out;
  }
  return { ...result, schema };
};
