import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { CliError } from "./cli-error.js";

/** The only place the CLI reads the environment; parsed once in main.ts. */
export const cliEnvSchema = z.object({
  /** The API's origin (or PUBLIC_URL), e.g. http://127.0.0.1:3000. Overrides the config file. */
  HEADLESS_OPS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** A bearer token from `npm run admin -- token create`. Overrides the config file; never printed. */
  HEADLESS_OPS_TOKEN: z.string().min(1).optional(),
  /** Where the config file is; default $XDG_CONFIG_HOME/headless-ops/config.json or ~/.config/…. */
  HEADLESS_OPS_CONFIG: z.string().min(1).optional(),
  /** The XDG base directory the default config path is under. */
  XDG_CONFIG_HOME: z.string().min(1).optional(),
});
export type CliEnv = z.infer<typeof cliEnvSchema>;

const configFileSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional(),
  token: z.string().min(1).optional(),
});

export type CliConfig = { url: string; token: string };

export function parseCliEnv(env: Record<string, string | undefined>): CliEnv {
  // Empty variables count as unset, as a shell's `HEADLESS_OPS_URL= cmd` means.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = cliEnvSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new CliError(`invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export function configFilePath(env: CliEnv): string {
  if (env.HEADLESS_OPS_CONFIG) return env.HEADLESS_OPS_CONFIG;
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "headless-ops", "config.json");
}

/**
 * The file holds a token, so like ssh's keys it must be readable by its owner only: a file others
 * can read is refused (not silently used) with the command that fixes it.
 */
export function readConfigFile(path: string): z.infer<typeof configFileSchema> | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, "0");
    throw new CliError(
      `config file ${path} has permissions ${octal}; it holds a token, so it must be 600.\n` +
        `  fix: chmod 600 ${path}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CliError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new CliError(`config file ${path} is invalid:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** The URL and token: environment first, then the config file; both are required. */
export function loadCliConfig(env: CliEnv): CliConfig {
  const path = configFilePath(env);
  const file = env.HEADLESS_OPS_URL && env.HEADLESS_OPS_TOKEN ? undefined : readConfigFile(path);
  const url = env.HEADLESS_OPS_URL ?? file?.url;
  const token = env.HEADLESS_OPS_TOKEN ?? file?.token;
  const missing = [!url && 'HEADLESS_OPS_URL (or "url")', !token && 'HEADLESS_OPS_TOKEN (or "token")'];
  if (!url || !token) {
    throw new CliError(
      `not configured: set ${missing.filter(Boolean).join(" and ")} in the environment or in ${path}` +
        ` (a JSON file {"url": "...", "token": "..."} with permissions 600)`,
    );
  }
  return { url, token };
}
