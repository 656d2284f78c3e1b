/**
 * The trace context each `operation.created` event arrived with, by operation id, so the fan-out
 * that claims the operation later continues the API request's trace. In memory and bounded: the
 * event is only a wake-up, and a fan-out claimed by another replica (or after a restart) starts its
 * own trace rather than reading the outbox.
 */
export class OperationTraces {
  private readonly byOperation = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  remember(operationId: string, traceparent: string | undefined): void {
    if (!traceparent) return;
    this.byOperation.delete(operationId);
    this.byOperation.set(operationId, traceparent);
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.byOperation.size > this.max)
      this.byOperation.delete(this.byOperation.keys().next().value as string);
  }

  /** The traceparent for this operation's fan-out (kept: a requeue round fans out in the same trace). */
  get(operationId: string): string | undefined {
    return this.byOperation.get(operationId);
  }
}
