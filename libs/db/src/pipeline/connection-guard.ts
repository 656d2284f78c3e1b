import type pg from "pg";

/**
 * Keeps a lost connection from killing the process. pg-pool listens for errors only on idle
 * clients; a checked-out client whose server goes away (Postgres restarting) emits 'error' with
 * nobody listening, which Node turns into an uncaught exception, even when the query in flight
 * also rejects. Every client of the pool gets a listener for its whole life: the failure still
 * reaches the caller as a rejected query (fold handed back, fan-out resumed from its cursor), and
 * pg-pool discards the broken client on release.
 */
export function guardPoolClients(pool: pg.Pool, onError: (err: Error) => void): void {
  pool.on("connect", (client) => {
    client.on("error", onError);
  });
}
