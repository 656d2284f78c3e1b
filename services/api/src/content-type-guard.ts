import type { FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";

const JSON_ONLY = ["application/json"];

/** Whether the request carries a body, as fastify decides before choosing a parser. */
function hasBody(req: FastifyRequest): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * The media types a route documents for its body: those of a per-content-type body schema, else JSON.
 * Routes without a body schema (cancel, retry, delete) accept an ignored JSON body, nothing else.
 */
export function acceptedMediaTypes(schema: unknown): string[] {
  const body = (schema as { body?: unknown } | undefined)?.body;
  if (typeof body === "object" && body !== null && "content" in body && !("_zod" in body)) {
    return Object.keys((body as { content: Record<string, unknown> }).content);
  }
  return JSON_ONLY;
}

/**
 * preParsing hook: 415 with the one error shape for a body whose Content-Type the route does not
 * document (text/plain, a CSV sent to a JSON route, no Content-Type at all), before it is read.
 * Fastify would otherwise parse text/plain into a string and the handler answer a puzzling 422.
 */
export async function requireDocumentedContentType(req: FastifyRequest): Promise<void> {
  if (req.method === "GET" || req.method === "HEAD" || !hasBody(req)) return;
  const accepted = acceptedMediaTypes(req.routeOptions.schema);
  const header = req.headers["content-type"];
  const mediaType = header?.split(";")[0]?.trim().toLowerCase();
  if (mediaType && accepted.includes(mediaType)) return;
  const detail = mediaType
    ? `Unsupported Content-Type ${mediaType}: send ${accepted.join(" or ")}.`
    : `A body needs a Content-Type: send ${accepted.join(" or ")}.`;
  throw new HttpError(415, detail);
}
