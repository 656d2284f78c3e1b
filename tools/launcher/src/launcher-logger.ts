import { type Config, type Logger, loggerOptions } from "@headless-ops/runtime";
import { pino } from "pino";
import type { PrefixedOutput } from "./prefixed-output.js";

/** The launcher's own pino logger, written through the same prefixed output as its children. */
export function createLauncherLogger(config: Pick<Config, "LOG_LEVEL">, output: PrefixedOutput): Logger {
  const options = loggerOptions("launcher", { LOG_LEVEL: config.LOG_LEVEL, LOG_PRETTY: false });
  // Never a transport: lines go to the prefixed output, which formats them.
  const { transport: _transport, ...rest } = options;
  // Its few lines are the launcher's interface: at least `info`, whatever quiets the services.
  const level = config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? config.LOG_LEVEL : "info";
  return pino({ ...rest, level }, { write: (line: string) => output.line("launcher", line) });
}
