import { createConnection } from "node:net";
import { type Config, defaultDatabaseUrl, defaultNatsUrl } from "@headless-ops/runtime";

/** Where one backing service comes from: started by the launcher, or used as configured. */
export type Placement = "embedded" | "external";

export type LocalServicePlan = { postgres: Placement; nats: Placement };

type PlanConfig = Pick<
  Config,
  "DATABASE_URL" | "MIGRATE_DATABASE_URL" | "NATS_URL" | "DEFAULT_POSTGRES_PORT" | "DEFAULT_NATS_PORT"
>;

/** The default local Postgres, and no owner URL of the operator's (which names a real server). */
function postgresIsDefault(config: PlanConfig): boolean {
  return (
    config.MIGRATE_DATABASE_URL === undefined &&
    isDefaultDatabaseUrl(config.DATABASE_URL, config.DEFAULT_POSTGRES_PORT)
  );
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * True when `url` is the default local Postgres on `port`: loopback, user `postgres` without a password,
 * database `headless_ops`, no options. Any other URL is the operator's choice and used as it is.
 */
export function isDefaultDatabaseUrl(url: string, port: number): boolean {
  const given = parse(url);
  const wanted = new URL(defaultDatabaseUrl(port));
  if (!given || !["postgres:", "postgresql:"].includes(given.protocol)) return false;
  return (
    LOOPBACK.has(given.hostname) &&
    (given.port || "5432") === wanted.port &&
    given.username === wanted.username &&
    given.password === "" &&
    given.pathname === wanted.pathname &&
    given.search === ""
  );
}

/** True when `natsUrl` is one server, the default local NATS on `port`, without credentials. */
export function isDefaultNatsUrl(natsUrl: string, port: number): boolean {
  const servers = natsUrl
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length !== 1) return false;
  const server = servers[0] as string;
  const given = parse(server.includes("://") ? server : `nats://${server}`);
  const wanted = new URL(defaultNatsUrl(port));
  if (given?.protocol !== "nats:") return false;
  return (
    LOOPBACK.has(given.hostname) &&
    (given.port || "4222") === wanted.port &&
    given.username === "" &&
    given.password === ""
  );
}

/**
 * The decision: a service is embedded only when its URL is the default local one and nothing answers
 * there. A configured URL, or a default one something answers at, is always used as it is.
 */
export function placeLocalServices(
  config: PlanConfig,
  answering: { postgres: boolean; nats: boolean },
): LocalServicePlan {
  const pgDefault = postgresIsDefault(config);
  const natsDefault = isDefaultNatsUrl(config.NATS_URL, config.DEFAULT_NATS_PORT);
  return {
    postgres: pgDefault && !answering.postgres ? "embedded" : "external",
    nats: natsDefault && !answering.nats ? "embedded" : "external",
  };
}

/** Looks at the default ports (only where the URL is the default one) and decides. */
export async function probeLocalServices(config: PlanConfig): Promise<LocalServicePlan> {
  const [postgres, nats] = await Promise.all([
    postgresIsDefault(config) ? tcpAnswers("127.0.0.1", config.DEFAULT_POSTGRES_PORT) : true,
    isDefaultNatsUrl(config.NATS_URL, config.DEFAULT_NATS_PORT)
      ? tcpAnswers("127.0.0.1", config.DEFAULT_NATS_PORT)
      : true,
  ]);
  return placeLocalServices(config, { postgres, nats });
}

/** True when something accepts a TCP connection at host:port within `timeoutMs`. */
export function tcpAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
