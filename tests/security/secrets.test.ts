import { randomBytes, randomInt } from "node:crypto";
import { natsNames } from "@headless-ops/contracts";
import { createDb, type DbHandle } from "@headless-ops/db";
import { credentialsOf, type Fleet, inventoryCsv, startFleet } from "@headless-ops/device-sim";
import { createTestContext, ProcessGroup, runScript, type TestContext, waitFor } from "@headless-ops/testkit";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseHits, hitsIn, needles, streamHits } from "./support/leak-search.js";

/*
 * Canary secrets through the whole system: SNMP communities and v3 auth/priv keys of a simulated SNMP
 * fleet, plus explicit canaries, go in through the API (JSON batch, CSV import, PATCH, rejected
 * requests), then a full operation runs on the real services as processes. Afterwards the plaintext
 * is searched in every log line of every process, every message published under the test's NATS
 * prefix (tapped live, so acked work-queue jobs are seen too) and still stored in its streams, every
 * API response, and every column of every table (bytea as raw bytes): it appears nowhere. The audit
 * trail is part of it: every write above leaves an event, the events are read back through
 * GET /api/v1/audit/, and a token secret minted over the API appears only in its one create answer.
 */

const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const DEVICES = "/api/v1/devices/";
const tag = randomBytes(6).toString("hex");
const canary = {
  simCommunity: `CANARY-sim-community-${tag}`,
  simAuth: `CANARY-sim-auth-${tag}`,
  simPriv: `CANARY-sim-priv-${tag}`,
  wrongAuth: `CANARY-wrong-auth-${tag}`,
  patched: `CANARY-patched-${tag}`,
  rejectedJson: `CANARY-rejected-json-${tag}`,
  rejectedCsv: `CANARY-rejected-csv-${tag}`,
  malformedCsv: `CANARY-malformed-csv-${tag}`,
};

let ctx: TestContext;
let fleet: Fleet;
let db: DbHandle;
let tap: NatsConnection;
const tapped: Buffer[] = [];
const group = new ProcessGroup();
let token: string;
/** Minted through POST /api/v1/tokens/: its secret may appear in that one answer and nowhere else. */
let apiToken: string;
let snmpWired = false;
const responses: string[] = [];

async function call(method: string, path: string, body?: string, contentType = "application/json") {
  const res = await fetch(`${group.get("api").url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": contentType } : {}) },
    body,
  });
  const text = await res.text();
  responses.push(`${res.status} ${JSON.stringify([...res.headers.entries()])} ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  ctx = await createTestContext();
  const env = {
    ...ctx.env,
    CREDENTIAL_KEY: randomBytes(32).toString("base64"),
    ALLOW_LOOPBACK: "true",
    LOG_LEVEL: "debug",
    PROBE_TIMEOUT_MS: "2000",
    PROBE_MAX_ATTEMPTS: "2",
    PROBE_RETRY_BACKOFF_MS: "20",
    SNMP_REQUEST_TIMEOUT_MS: "400",
  };
  fleet = await startFleet({
    devices: 24,
    seed: randomInt(1, 2 ** 31 - 1),
    addressBase: `127.${randomInt(20, 250)}.${randomInt(1, 250)}.0`,
    port: 0,
    v3Share: 0.5,
    faultRate: 0,
  });
  // As the owner: the leak search must see every table and column, not just the app role's grants.
  db = createDb({ url: ctx.ownerDatabaseUrl, max: 2 });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'a'), (102, 'b'), (103, 'c')");
  const admin = await runScript({
    script: "services/api/dist/admin.js",
    args: ["token", "create", "--org", "101", "--org", "102", "--org", "103", "--role", "admin"],
    env,
  });
  token = admin.stdout.trim();
  tap = await connect({ servers: ctx.natsUrl, name: "secrets-tap" });
  tap.subscribe(`${ctx.natsPrefix}.>`, {
    callback: (_err, msg) => {
      tapped.push(Buffer.from(msg.data));
    },
  });
  await Promise.all([
    group.start("api", { env }),
    group.start("scheduler", { env }),
    group.start("aggregator", { env }),
    group.start("prober", { env }),
  ]);
  const started = await group.get("prober").waitForLog((r) => r.msg === "prober started");
  snmpWired = (started.drivers as string[] | undefined)?.includes("snmp") ?? false;
});

afterAll(async () => {
  await group.stopAll().catch(() => undefined);
  await tap?.close();
  await fleet?.stop();
  await db?.close();
  await ctx?.cleanup();
});

describe.sequential("secrets never leak", () => {
  it("canary credentials go in through JSON, CSV and PATCH; rejected requests with canaries answer 422", async () => {
    const half = fleet.devices.length / 2;
    const asJson = fleet.devices.slice(0, half).map((d) => ({
      organization_id: d.organizationId,
      hostname: d.hostname,
      device_type: d.deviceType,
      mgmt_address: d.address,
      mgmt_port: d.port,
      driver: "snmp",
      credentials: credentialsOf(d.inventoryAccess),
    }));
    const v3 = fleet.devices.find((d) => d.access.version === "v3" && d.access.level !== "noAuthNoPriv");
    const extra = [
      {
        organization_id: 101,
        hostname: "canary-sim-v2c",
        device_type: "router",
        driver: "simulated",
        credentials: { version: "v2c", community: canary.simCommunity },
      },
      {
        organization_id: 102,
        hostname: "canary-sim-v3",
        device_type: "switch",
        driver: "simulated",
        credentials: {
          version: "v3",
          user: "ops",
          security_level: "authPriv",
          auth_protocol: "sha",
          auth_key: canary.simAuth,
          priv_protocol: "aes",
          priv_key: canary.simPriv,
        },
      },
      {
        organization_id: 103,
        hostname: "canary-wrong-v3",
        device_type: "firewall",
        driver: "snmp",
        mgmt_address: v3?.address,
        mgmt_port: v3?.port,
        credentials: {
          version: "v3",
          user: "inventory",
          security_level: "authNoPriv",
          auth_protocol: "sha",
          auth_key: canary.wrongAuth,
        },
      },
    ];
    const batch = await call("POST", DEVICES, JSON.stringify([...asJson, ...extra]));
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const imported = await call(
      "POST",
      `${DEVICES}import`,
      inventoryCsv(fleet.devices.slice(half)),
      "text/csv",
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const simV2c = batch.body.results.find((d: { hostname: string }) => d.hostname === "canary-sim-v2c");
    const patched = await call(
      "PATCH",
      `${DEVICES}${simV2c.id}`,
      JSON.stringify({ credentials: { version: "v2c", community: canary.patched } }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.has_credentials).toBe(true);

    const rejected = await call(
      "POST",
      DEVICES,
      JSON.stringify({
        organization_id: 101,
        hostname: "bad",
        device_type: "router",
        credentials: {
          version: "v3",
          user: "u",
          security_level: "authPriv",
          auth_protocol: "sha",
          auth_key: canary.rejectedJson,
        },
      }),
    );
    expect(rejected.status).toBe(422);
    const badCsv = `organization_id,hostname,device_type,snmp_version,community\n101,bad-csv,toaster,v2c,${canary.rejectedCsv}\n`;
    expect((await call("POST", `${DEVICES}import`, badCsv, "text/csv")).status).toBe(422);
    // A quote in the middle of an unquoted cell: the CSV parser's own message would quote the cell.
    const brokenCsv = `organization_id,hostname,device_type,snmp_version,community\n101,broken,router,v2c,${canary.malformedCsv}"x\n`;
    expect((await call("POST", `${DEVICES}import`, brokenCsv, "text/csv")).status).toBe(400);

    // Not through `call`: this one answer legitimately shows the new secret, once.
    const minted = await fetch(`${group.get("api").url}/api/v1/tokens/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: `canary-${tag}`,
        role: "operator",
        organization_ids: [101],
        expires_in: "1d",
      }),
    });
    expect(minted.status).toBe(201);
    apiToken = ((await minted.json()) as { token: string }).token;
    expect((await call("GET", "/api/v1/tokens/")).status).toBe(200);
  });

  it("a full operation runs over every device (SNMP driver if the prober has it, else the simulated one)", async () => {
    const created = await call(
      "POST",
      OPS,
      JSON.stringify({
        operation_type: "bulk_serial_sync",
        target_organizations: [101, 102, 103],
        options: { update_firmware_info: true, timeout_minutes: 5 },
      }),
    );
    expect(created.status).toBe(201);
    const op = await waitFor(
      async () => {
        const res = await call("GET", `${OPS}?id=${created.body.id}&update_status=true`);
        const found = res.body?.results?.[0];
        return found && !["scheduled", "in_progress"].includes(found.status) ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `the operation to finish\n${group.dump()}` },
    );
    const total = fleet.devices.length + 3;
    expect(op.total_devices).toBe(total);
    expect(op.processed_devices).toBe(total);
    // The canaries were really used: SNMP devices answer only to the right community or keys.
    expect(op.failed_devices).toBe(snmpWired ? 1 : fleet.devices.length + 1);
    if (snmpWired) expect(op.operation_details.error_summary).toEqual({ authentication_failures: 1 });
    else expect(op.operation_details.error_summary).toEqual({ internal_errors: fleet.devices.length + 1 });
    process.stdout.write(
      `secrets: operation ran with the ${snmpWired ? "SNMP" : "simulated (SNMP not wired)"} driver\n`,
    );
    for (let page = 1; page <= 2; page += 1) {
      expect((await call("GET", `${DEVICES}?page_size=20&page=${page}`)).status).toBe(200);
      expect((await call("GET", `${OPS}${op.id}/devices/?page_size=20&page=${page}`)).status).toBe(200);
    }
    const audit = await call("GET", "/api/v1/audit/?page_size=200");
    expect(audit.status).toBe(200);
    // The batch, the CSV import, the PATCH, the rejected JSON and CSVs, the token, the operation.
    expect(audit.body.count).toBeGreaterThanOrEqual(8);
    expect(audit.body.results.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        "device.create",
        "device.import",
        "device.update",
        "token.create",
        "operation.create",
      ]),
    );
  });

  it("no plaintext in logs, NATS messages and streams, API responses or any database column", async () => {
    await group.stopAll(); // flushes every log line
    const secrets = [
      ...Object.values(canary),
      token,
      apiToken,
      ...fleet.devices.flatMap((d) => {
        const a = d.inventoryAccess;
        return a.version === "v2c" ? [a.community] : [a.authKey, a.privKey].filter((k): k is string => !!k);
      }),
    ];
    const search = needles([...new Set(secrets)]);
    // Control: the search finds a secret where one is.
    expect(hitsIn("control", `x${canary.patched}y`, search)).toHaveLength(1);

    const logHits = group.processes.flatMap((p) => {
      expect(p.lines.length, `${p.name} log was truncated`).toBeLessThan(5_000);
      return hitsIn(`${p.name} log`, p.lines.join("\n"), search);
    });
    const streams = await streamHits(tap, ctx.natsPrefix, search);
    const tapHits = tapped.flatMap((m, i) => hitsIn(`published message ${i}`, m, search));
    const responseHits = responses.flatMap((r, i) => hitsIn(`response ${i}`, r, search));
    const database = await databaseHits(db.pool, search);
    const audited = await db.pool.query("SELECT count(*)::int AS n FROM audit_events");
    const sealed = await db.pool.query(
      "SELECT count(*)::int AS n FROM devices WHERE credentials IS NOT NULL",
    );

    expect(group.processes.reduce((n, p) => n + p.lines.length, 0)).toBeGreaterThan(50);
    expect(streams.streams).toEqual(expect.arrayContaining(Object.values(natsNames(ctx.natsPrefix).streams)));
    expect(tapped.length).toBeGreaterThan(2);
    expect(sealed.rows[0].n).toBe(fleet.devices.length + 3);
    expect(audited.rows[0].n).toBeGreaterThanOrEqual(8);
    expect({ logHits, streamHits: streams.hits, tapHits, responseHits, databaseHits: database.hits }).toEqual(
      {
        logHits: [],
        streamHits: [],
        tapHits: [],
        responseHits: [],
        databaseHits: [],
      },
    );
    process.stdout.write(
      `secrets: ${secrets.length} secrets, ${group.processes.reduce((n, p) => n + p.lines.length, 0)} log lines, ${tapped.length} published + ${streams.messages} stored messages, ${responses.length} responses, ${database.values} values in ${database.columns} columns: no hit\n`,
    );
  });
});
