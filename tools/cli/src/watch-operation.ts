import type { CliContext } from "./cli-context.js";
import { operationEvents } from "./event-stream.js";
import type { OperationEvent } from "./operation-event.js";
import { exitCodeFor, finishedLine } from "./progress-format.js";
import { createProgressView } from "./progress-view.js";

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
    for await (const event of operationEvents({
      baseUrl: ctx.config.url,
      token: ctx.config.token,
      operationId,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onReconnect: (attempt, reason) =>
        view?.note(`connection lost (${reason}); reconnecting, attempt ${attempt}`),
    })) {
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
