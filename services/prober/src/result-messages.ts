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
 * The result messages of one job: normally one. Results with long error messages can outgrow
 * max_payload on big jobs, so the batch is halved until each part fits; the parts are numbered in
 * a stable order (`resultMsgId`), so a republish after a crash is de-duplicated.
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
  const parts: Uint8Array[] = [];
  const split = (part: DeviceResult[]) => {
    const data = encode(part);
    if (data.byteLength <= maxBytes || part.length === 1) parts.push(data);
    else {
      const half = Math.ceil(part.length / 2);
      split(part.slice(0, half));
      split(part.slice(half));
    }
  };
  split(results);
  return parts.map((data, i) => ({ msgId: resultMsgId(jobId, i), data }));
}
