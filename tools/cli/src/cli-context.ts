import { type ApiClient, createClient } from "@headless-ops/client";
import { networkError } from "./api-error.js";
import type { CliConfig } from "./cli-config.js";

/** What every command gets: the typed client, the config it came from, and where output goes. */
export type CliContext = {
  config: CliConfig;
  api: ApiClient;
  out: (text: string) => void;
  err: (text: string) => void;
  stderr: NodeJS.WriteStream;
};

export function createCliContext(config: CliConfig): CliContext {
  // A refused connection surfaces as fetch's TypeError; turn it into one line naming the server.
  const guardedFetch = (input: Request) =>
    fetch(input).catch((err: unknown) => {
      throw networkError(config.url, err);
    });
  return {
    config,
    api: createClient(config.url, config.token, { fetch: guardedFetch }),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stderr: process.stderr,
  };
}

/** `--json` output: the API's objects, indented, one document. */
export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);
