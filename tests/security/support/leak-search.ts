import { jetstreamManager } from "@headless-ops/bus";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";

/*
 * Where a secret could leak, searched for its plaintext: text (logs, HTTP responses), raw bytes
 * (NATS messages, bytea columns), and every text-like column of every table.
 */

/** A secret and the encodings a careless component might write it in. */
export function needles(secrets: readonly string[]): Buffer[] {
  return secrets.flatMap((s) => [
    Buffer.from(s, "utf8"),
    Buffer.from(Buffer.from(s, "utf8").toString("base64")),
    Buffer.from(Buffer.from(s, "utf8").toString("hex")),
  ]);
}

/** The needles found in `data`, by their UTF-8 text, prefixed with where they were found. */
export function hitsIn(where: string, data: Buffer | string, search: readonly Buffer[]): string[] {
  const haystack = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return search.filter((n) => haystack.includes(n)).map((n) => `${where}: ${n.toString("utf8")}`);
}

/** Every column of every user table, as text (bytea as raw bytes), searched for the needles. */
export async function databaseHits(
  pool: pg.Pool,
  search: readonly Buffer[],
): Promise<{ hits: string[]; columns: number; values: number }> {
  const { rows: columns } = await pool.query<{ schema: string; table: string; column: string; type: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_type = 'BASE TABLE'`,
  );
  const hits: string[] = [];
  let values = 0;
  for (const c of columns) {
    const ident = `"${c.schema}"."${c.table}"`;
    const expr = c.type === "bytea" ? `"${c.column}"` : `"${c.column}"::text`;
    const res = await pool.query<{ v: Buffer | string | null }>(
      `SELECT ${expr} AS v FROM ${ident} WHERE "${c.column}" IS NOT NULL`,
    );
    for (const row of res.rows) {
      if (row.v === null) continue;
      values += 1;
      hits.push(...hitsIn(`${c.schema}.${c.table}.${c.column}`, row.v, search));
    }
  }
  return { hits: [...new Set(hits)], columns: columns.length, values };
}

/** Every message still stored in the prefix's streams (work-queue streams keep only unacked ones). */
export async function streamHits(
  nc: NatsConnection,
  prefix: string,
  search: readonly Buffer[],
): Promise<{ hits: string[]; streams: string[]; messages: number }> {
  const jsm = await jetstreamManager(nc);
  const hits: string[] = [];
  const streams: string[] = [];
  let messages = 0;
  for await (const name of jsm.streams.names()) {
    if (!name.startsWith(`${prefix}_`)) continue;
    streams.push(name);
    const { state } = await jsm.streams.info(name);
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
      const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!msg) continue;
      messages += 1;
      hits.push(...hitsIn(`stream ${name} #${seq}`, Buffer.from(msg.data), search));
    }
  }
  return { hits, streams, messages };
}
