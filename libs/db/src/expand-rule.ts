import { CONTRACT_MARKER } from "./schema-version.js";

/*
 * Expand, then contract (libs/db/README.md): during a rolling upgrade the previous release runs on
 * the new schema, so a migration may only add. These statements would break it.
 */
const BREAKING: [RegExp, string][] = [
  [/\bDROP\s+(COLUMN|TABLE|INDEX\s+CONCURRENTLY|TYPE|VIEW)\b/i, "drops"],
  [/\bRENAME\b/i, "renames"],
  [/\bALTER\s+COLUMN\s+"?\w+"?\s+(SET\s+DATA\s+)?TYPE\b/i, "changes a column type"],
  [/\bALTER\s+COLUMN\s+"?\w+"?\s+SET\s+NOT\s+NULL\b/i, "makes a column NOT NULL"],
  [
    /\bADD\s+COLUMN\s+(?:(?!DEFAULT)[^;,])*\bNOT\s+NULL\b(?:(?!DEFAULT)[^;,])*(;|,|$)/i,
    "adds a NOT NULL column without a default",
  ],
];

/** The problems of one migration's SQL: breaking statements, unless marked as a contract. */
export function expandProblems(sql: string): string[] {
  if (CONTRACT_MARKER.test(sql)) return [];
  const statements = sql.split(/--> statement-breakpoint|;\s*\n/);
  const problems: string[] = [];
  for (const statement of statements) {
    const body = statement.replace(/^\s*--.*$/gm, "").trim();
    if (!body || /^CREATE\s+TABLE\b/i.test(body)) continue;
    for (const [pattern, what] of BREAKING)
      if (pattern.test(body)) problems.push(`${what}: ${body.slice(0, 120)}`);
  }
  return problems;
}
