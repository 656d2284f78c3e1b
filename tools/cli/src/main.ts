import { Command, CommanderError } from "commander";
import { loadCliConfig, parseCliEnv } from "./cli-config.js";
import { createCliContext } from "./cli-context.js";
import { CliError, exitCodes } from "./cli-error.js";
import { registerDevicesCommands } from "./devices-commands.js";
import { type Action, registerOpsCommands } from "./ops-commands.js";

const EXIT_CODES_HELP = `
Configuration: HEADLESS_OPS_URL and HEADLESS_OPS_TOKEN, or ~/.config/headless-ops/config.json
({"url": "...", "token": "..."}, permissions 600; HEADLESS_OPS_CONFIG names another file).

Exit codes: 0 ok (for watch/--wait: completed), 1 error, 2 completed_with_errors, 3 failed, 4 cancelled.`;

/** Commands run through here: config is loaded only when one runs (so --help needs none). */
function makeAction(setExit: (code: number) => void): Action {
  return async (run) => {
    const config = loadCliConfig(parseCliEnv(process.env));
    setExit((await run(createCliContext(config))) ?? exitCodes.ok);
  };
}

async function main(argv: string[]): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command("headless-ops")
    .description("headless-ops from the terminal, over the public HTTP API")
    .addHelpText("after", EXIT_CODES_HELP)
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const action = makeAction((c) => {
    code = c;
  });
  registerOpsCommands(program, action);
  registerDevicesCommands(program, action);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : exitCodes.error;
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  return code;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`headless-ops: unexpected error (a bug): ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
