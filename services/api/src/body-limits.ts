import { Transform, type TransformCallback } from "node:stream";
import { DEVICE_BATCH_MAX } from "@headless-ops/contracts";
import type { FastifyRequest } from "fastify";
import { HttpError, unprocessable } from "./errors.js";

/*
 * What each route's body legitimately needs, so one request cannot make the API read (and parse)
 * megabytes it will refuse anyway. BODY_LIMIT_BYTES stays the ceiling of every one of them.
 */

declare module "fastify" {
  interface FastifyContextConfig {
    /** A top-level JSON array body longer than this is refused before anything walks its items. */
    maxItems?: number;
  }
}

/** Bytes one device may take in a JSON batch: a full device with SNMPv3 credentials is ~600. */
export const DEVICE_JSON_BYTES = 1024;

export const ROUTE_BODY_BYTES = {
  /** An operation: ≤ 1,000 organization ids, filters, schedule, options (a `data` string doubles quotes). */
  operation: 64 * 1024,
  /** Cancel and retry take no body: whatever comes is not read further than this. */
  action: 1024,
  /** One device's fields and credentials. */
  devicePatch: 16 * 1024,
  /** `POST /devices/`: DEVICE_BATCH_MAX devices (10,000 × 1 KiB ≈ 9.8 MiB). */
  deviceBatch: DEVICE_BATCH_MAX * DEVICE_JSON_BYTES,
  /**
   * `POST /devices/import` is streamed and stops at its row limit, so its memory does not grow with
   * the body; the byte limit only bounds how long one upload may keep the API reading. 100,000 rows
   * of up to 160 bytes (a typical row is 60–120).
   */
  deviceImport: 16 * 1024 * 1024,
} as const;

/** The route's own limit under the configured ceiling. */
export function routeBodyLimit(ceiling: number, bytes: number): number {
  return Math.min(ceiling, bytes);
}

export const tooLarge = () => new HttpError(413, "The request body is too large.");

/** A pass-through that fails with 413 once more than `limit` bytes went through it. */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(tooLarge());
      else done(null, chunk);
    },
  });
}

/**
 * preValidation hook: the batch size of a route with `config.maxItems`, checked before any hook or
 * handler looks at an item (a 16 MiB `[0,0,…]` is refused on its length, not after a deep scan).
 */
export async function rejectOversizedBatch(req: FastifyRequest): Promise<void> {
  const max = req.routeOptions.config.maxItems;
  if (max === undefined || !Array.isArray(req.body)) return;
  if (req.body.length === 0 || req.body.length > max) {
    throw unprocessable([{ path: "(body)", message: `a batch holds 1 to ${max} devices` }]);
  }
}
