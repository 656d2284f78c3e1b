import type { ErrorBody } from "@headless-ops/contracts";
import type { FastifyError, FastifyInstance } from "fastify";
import { HttpError } from "./errors.js";

/** Fastify's own client errors, reworded where its message would read oddly to an API client. */
const frameworkDetails: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "Malformed JSON in the request body.",
  FST_ERR_CTP_EMPTY_JSON_BODY: "The request body is empty but its Content-Type is application/json.",
  FST_ERR_CTP_BODY_TOO_LARGE: "The request body is too large.",
};

/**
 * One error shape everywhere, including fastify's 404/413/415 and body parse errors.
 * A 5xx never carries an internal message or stack; it is logged with the request id instead.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((_req, reply) => {
    const body: ErrorBody = { detail: "Not found.", errors: [] };
    void reply.code(404).send(body);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError || (err as { name?: string }).name === "HttpError") {
      const e = err as unknown as HttpError;
      const body: ErrorBody = { detail: e.detail, errors: e.errors };
      return reply.code(e.statusCode).send(body);
    }
    const status = typeof err.statusCode === "number" ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const detail =
        frameworkDetails[err.code] ?? (err instanceof SyntaxError ? "Malformed JSON." : err.message);
      const body: ErrorBody = { detail, errors: [] };
      return reply.code(status).send(body);
    }
    req.log.error({ err, reqId: req.id }, "request failed");
    const body: ErrorBody = { detail: "Internal server error.", errors: [] };
    return reply.code(500).send(body);
  });
}
