import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { WebhookTarget } from "@headless-ops/runtime";

export type AttemptOutcome = { statusCode: number | null; latencyMs: number; error: string | null };

/** Bytes of a receiver's answer read (and thrown away): a huge or endless body cannot hold a slot. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A lookup that answers the address the guard checked: the socket connects there, never re-resolving. */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * One POST of a signed webhook to the checked address. TLS still verifies the certificate for the URL's
 * host name (the host name is kept for SNI and Host). Redirects are not followed: a 3xx is a failed
 * attempt. The whole attempt (connect, send, answer) is bounded by `timeoutMs`.
 */
export function postWebhook(
  target: WebhookTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const client = target.url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<AttemptOutcome, "latencyMs">) => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, latencyMs: latency() });
    };
    const req = client.request(
      target.url,
      {
        method: "POST",
        lookup: pinnedLookup(target),
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "headless-ops-notifier",
        },
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (res) => {
        const statusCode = res.statusCode ?? null;
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const done = () => {
          const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
          const redirect = statusCode !== null && statusCode >= 300 && statusCode < 400;
          finish({
            statusCode,
            error: ok ? null : redirect ? "redirect not followed" : `receiver answered ${statusCode}`,
          });
        };
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
    );
    req.on("error", (err) => {
      const timedOut = err.name === "AbortError" || err.name === "TimeoutError";
      finish({ statusCode: null, error: timedOut ? `no answer within ${timeoutMs} ms` : err.message });
    });
    req.end(body);
  });
}
