import { createHash } from "node:crypto";
import {
  type DeviceJobBatch,
  type DeviceResult,
  type DeviceResultBatch,
  resultMsgId,
} from "@headless-ops/contracts";

const encoder = new TextEncoder();

/** Well under NATS' default max_payload (1 MB), headers and protocol included. */
export const MAX_RESULT_MESSAGE_BYTES = 512 * 1024;

/**
 * The set of devices a result message carries, as its message id's suffix: 96 bits of SHA-256 over
 * the sorted ids, so the same set always gets the same id (whatever order the results came in) and
 * two different sets of one job do not collide.
 */
export function devicesDigest(results: readonly DeviceResult[]): string {
  const ids = results.map((r) => r.device_id).sort();
  return createHash("sha256").update(ids.join(",")).digest("base64url").slice(0, 16);
}

/**
 * The result messages of some of one job's results: normally one. Results with long error messages
 * can outgrow max_payload on big jobs, so the batch is halved until each part fits. Each message is
 * named by the devices it carries (`resultMsgId`), so a republish of the same message after a crash
 * is de-duplicated and a differently split retry is not.
 */
export function resultMessages(
  job: DeviceJobBatch,
  jobId: string,
  results: DeviceResult[],
  maxBytes = MAX_RESULT_MESSAGE_BYTES,
): { msgId: string; data: Uint8Array }[] {
  const encode = (part: DeviceResult[]) => {
    const batch: DeviceResultBatch = {
      v: 1,
      operation_id: job.operation_id,
      operation_type: job.operation_type,
      options: job.options,
      results: part,
    };
    return encoder.encode(JSON.stringify(batch));
  };
  const parts: { msgId: string; data: Uint8Array }[] = [];
  const split = (part: DeviceResult[]) => {
    const data = encode(part);
    if (data.byteLength <= maxBytes || part.length === 1)
      parts.push({ msgId: resultMsgId(jobId, devicesDigest(part)), data });
    else {
      const half = Math.ceil(part.length / 2);
      split(part.slice(0, half));
      split(part.slice(half));
    }
  };
  split(results);
  return parts;
}
