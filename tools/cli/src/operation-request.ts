import { readFileSync } from "node:fs";
import type { CreateOperation } from "@headless-ops/client";
import { CliError } from "./cli-error.js";

/** `ops create`'s flags as commander parses them. */
export type CreateFlags = {
  file?: string;
  type?: string;
  org?: string[];
  deviceType?: string[];
  status?: string[];
  executeAt?: string;
  priority?: string;
  timeoutMinutes?: string;
  updateFirmwareInfo?: boolean;
  validateConnectivity?: boolean;
  dryRun?: boolean;
};

export type CreateBody = CreateOperation & { dry_run?: true };

/**
 * The POST body: the JSON file (`--file`) if given, with any flags laid over it. The API validates
 * the result; here only what a flag cannot express (a number that is not one) is refused.
 */
export function buildCreateBody(flags: CreateFlags, readFile = (p: string) => readFileSync(p, "utf8")) {
  const body: Record<string, unknown> = flags.file ? readBodyFile(flags.file, readFile) : {};
  if (flags.type) body.operation_type = flags.type;
  if (flags.org?.length) body.target_organizations = flags.org.map((o) => toInt(o, "--org"));
  const filters = { ...(body.device_filters as Record<string, unknown> | undefined) };
  if (flags.deviceType?.length) filters.types = flags.deviceType;
  if (flags.status?.length) filters.status = flags.status;
  if (Object.keys(filters).length) body.device_filters = filters;
  const schedule = { ...(body.schedule as Record<string, unknown> | undefined) };
  if (flags.executeAt) schedule.execute_at = flags.executeAt;
  if (flags.priority) schedule.priority = flags.priority;
  if (Object.keys(schedule).length) body.schedule = schedule;
  const options = { ...(body.options as Record<string, unknown> | undefined) };
  if (flags.timeoutMinutes) options.timeout_minutes = toInt(flags.timeoutMinutes, "--timeout-minutes");
  if (flags.updateFirmwareInfo) options.update_firmware_info = true;
  if (flags.validateConnectivity) options.validate_connectivity = true;
  if (Object.keys(options).length) body.options = options;
  if (flags.dryRun) body.dry_run = true;
  if (body.operation_type === undefined)
    throw new CliError("ops create needs --type or a --file with operation_type");
  if (body.target_organizations === undefined)
    throw new CliError("ops create needs --org (repeatable) or a --file with target_organizations");
  return body as CreateBody;
}

function readBodyFile(path: string, readFile: (p: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new CliError(`${path} must hold one JSON object (the operation's configuration)`);
  return json as Record<string, unknown>;
}

function toInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}
