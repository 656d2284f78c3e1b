/** Exit codes of the CLI; `ops watch` and `ops create --wait` map an operation's end onto them. */
export const exitCodes = {
  ok: 0,
  /** A user or API error: bad flags, bad config, 4xx/5xx from the API, unreachable server. */
  error: 1,
  completedWithErrors: 2,
  failed: 3,
  cancelled: 4,
} as const;

/**
 * An error meant for the person at the terminal: printed as its message (no stack trace) and the
 * process exits with `exitCode`. Anything else that escapes is a bug and is printed with its stack.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.error,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  /** The HTTP status when the API refused the request. */
  readonly status: number | undefined;
}
