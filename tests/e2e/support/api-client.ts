import type { OperationCreatedView, OperationView } from "@headless-ops/contracts";
import { waitFor } from "@headless-ops/testkit";

export const OPERATIONS = "/api/v1/inventory_device_serial_headless_operation/";

export type Answer<T> = { status: number; body: T };

/** The API as a client sees it: real HTTP against the API process, with a bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** POST an operation; fails the test with the API's answer unless 201. */
  async createOperation(body: Record<string, unknown>): Promise<OperationCreatedView> {
    const res = await this.call<OperationCreatedView>("POST", OPERATIONS, body);
    if (res.status !== 201)
      throw new Error(`POST operation answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** The reference GET with `id`: the one operation of the envelope. */
  async operation(id: string, opts: { updateStatus?: boolean } = {}): Promise<OperationView> {
    const query = `?id=${id}${opts.updateStatus ? "&update_status=true" : ""}`;
    const res = await this.call<{ count: number; results: OperationView[] }>("GET", `${OPERATIONS}${query}`);
    if (res.status !== 200)
      throw new Error(`GET operation ${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const [op] = res.body.results;
    if (!op || res.body.count !== 1) throw new Error(`GET operation ${id}: ${JSON.stringify(res.body)}`);
    return op;
  }

  /** Polls the GET until `done(op)`; on timeout the error shows the last state seen. */
  async pollOperation(
    id: string,
    done: (op: OperationView) => boolean,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<OperationView> {
    let last: OperationView | undefined;
    try {
      return await waitFor(
        async () => {
          last = await this.operation(id);
          return done(last) ? last : undefined;
        },
        { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: opts.intervalMs ?? 200, what: `operation ${id}` },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`, { cause: err });
    }
  }
}

export const isFinished = (op: OperationView) =>
  ["completed", "completed_with_errors", "failed", "cancelled"].includes(op.status);
