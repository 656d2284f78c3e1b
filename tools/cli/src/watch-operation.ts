import type { CliContext } from "./cli-context.js";
import { CliError } from "./cli-error.js";
import { operationEvents, type StreamEvent } from "./event-stream.js";
import type { OperationEvent } from "./operation-event.js";
import { pollOperationEvents } from "./operation-poller.js";
import { exitCodeFor, finishedLine } from "./progress-format.js";
import { createProgressView, type ProgressView } from "./progress-view.js";

/**
 * Follows the operation's event stream until it ends: a progress bar on stderr (or, with `json`,
 * one JSON line per event on stdout), the final line on stdout; returns the exit code for how it
 * ended (0 completed, 2 completed_with_errors, 3 failed, 4 cancelled).
 */
export async function watchOperation(
  ctx: CliContext,
  operationId: string,
  opts: { json?: boolean; signal?: AbortSignal } = {},
): Promise<number> {
  const view = opts.json ? undefined : createProgressView(ctx.stderr);
  let last: OperationEvent | undefined;
  try {
    for await (const event of events(ctx, operationId, view, opts.signal)) {
      last = event.operation;
      if (opts.json) ctx.out(JSON.stringify({ event: event.type, ...event.operation }));
      else view?.update(event.operation);
    }
  } finally {
    view?.stop();
  }
  if (!last) return 1;
  if (!opts.json) ctx.out(finishedLine(last));
  return exitCodeFor(last.status);
}

/**
 * The SSE stream; when it answers 404 but the GET finds the operation, the server has no stream
 * (an older API), so poll instead of failing.
 */
async function* events(
  ctx: CliContext,
  operationId: string,
  view: ProgressView | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<StreamEvent> {
  const stream = operationEvents({
    baseUrl: ctx.config.url,
    token: ctx.config.token,
    operationId,
    ...(signal ? { signal } : {}),
    onReconnect: (attempt, reason) =>
      view?.note(`connection lost (${reason}); reconnecting, attempt ${attempt}`),
  });
  try {
    yield* stream;
  } catch (err) {
    if (!(err instanceof CliError) || err.status !== 404) throw err;
    const found = await ctx.api.GET("/api/v1/inventory_device_serial_headless_operation/", {
      params: { query: { id: operationId } },
    });
    if (!found.response.ok) throw err;
    view?.note("this server has no event stream; polling once a second");
    yield* pollOperationEvents(ctx.api, operationId, signal ? { signal } : {});
  }
}
