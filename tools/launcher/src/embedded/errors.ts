/** An embedded service cannot be had on this machine; `message` says what to do instead. */
export class EmbeddedUnavailableError extends Error {
  override readonly name = "EmbeddedUnavailableError";
  readonly code = "embedded_unavailable";
}

/** No nats-server binary to embed; `help` is the text telling the user how to get one. */
export class NatsServerMissingError extends Error {
  override readonly name = "NatsServerMissingError";
  readonly code = "nats_server_missing";
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}
