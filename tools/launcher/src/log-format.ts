/**
 * Turns one pino JSON line of a child process into a short, readable line:
 * `12:00:01.234 INFO  fan-out done operationId=42 devices=1000`. Lines that are not
 * pino JSON (a stack trace on stderr, pretty output) pass through unchanged.
 */

const levelNames: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Fields every line carries that the prefix already says (or that add nothing when reading). */
const omitted = new Set(["level", "time", "msg", "service", "name", "pid", "hostname", "v"]);

export type FormattedLine = { text: string; level: number };

export function formatLogLine(line: string): FormattedLine {
  const trimmed = line.trimEnd();
  if (!trimmed.startsWith("{")) return { text: trimmed, level: 30 };
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return { text: trimmed, level: 30 };
  }
  if (typeof record !== "object" || record === null || typeof record.level !== "number") {
    return { text: trimmed, level: 30 };
  }
  const level = record.level;
  const parts = [clock(record.time), (levelNames[level] ?? String(level)).padEnd(5)];
  if (typeof record.msg === "string") parts.push(record.msg);
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (omitted.has(key) || value === undefined) continue;
    if (isErrorLike(value)) {
      fields.push(`${key}=${quote(String(value.message))}`);
      if (level >= 50 && typeof value.stack === "string") stack = value.stack;
      continue;
    }
    fields.push(`${key}=${render(value)}`);
  }
  if (fields.length > 0) parts.push(fields.join(" "));
  let text = parts.join(" ");
  if (stack) text += `\n${indent(stack)}`;
  return { text, level };
}

function clock(time: unknown): string {
  const date = typeof time === "string" || typeof time === "number" ? new Date(time) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) return "--:--:--.---";
  return date.toISOString().slice(11, 23);
}

function isErrorLike(value: unknown): value is { message: unknown; stack?: unknown } {
  return typeof value === "object" && value !== null && "message" in value && "stack" in value;
}

function render(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

function quote(s: string): string {
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

function indent(stack: string): string {
  return stack
    .split("\n")
    .slice(1)
    .map((l) => `    ${l.trim()}`)
    .join("\n");
}
