import { randomBytes } from "node:crypto";
import {
  CredentialKeyError,
  CredentialSealError,
  createCredentialSealer,
  createLogger,
  loadConfig,
} from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { DEVICES, device, type Harness, startHarness } from "./harness.js";

/*
 * Write-only credentials stay write-only: a device's credentials are bound to the device (id,
 * organization, address, port) and a PATCH that moves the device without new credentials is refused.
 */

let h: Harness;
let auth: string;
const community = { version: "v2c", community: "bound-community" } as const;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
});
afterAll(() => h?.close());

const req = (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });

type Stored = {
  id: string;
  organization_id: string;
  mgmt_address: string | null;
  mgmt_port: number | null;
  credentials: Buffer | null;
};
async function stored(id: string): Promise<Stored> {
  const res = await h.db.pool.query<Stored>(
    "SELECT id::text, organization_id::text, mgmt_address, mgmt_port, credentials FROM devices WHERE id = $1",
    [id],
  );
  return res.rows[0] as Stored;
}
const sealer = () => createCredentialSealer(h.config.CREDENTIAL_KEY);
const bindingOf = (row: Stored) => ({
  deviceId: row.id,
  organizationId: row.organization_id,
  address: row.mgmt_address,
  port: row.mgmt_port,
});

async function snmpDevice(fields: Record<string, unknown> = {}): Promise<string> {
  const res = await req(
    "POST",
    DEVICES,
    device(101, {
      driver: "snmp",
      mgmt_address: "10.20.0.1",
      mgmt_port: 161,
      credentials: community,
      ...fields,
    }),
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

describe("PATCH that moves a device with credentials", () => {
  it("is refused with 422 naming credentials, and changes nothing, for address, port and driver", async () => {
    const id = await snmpDevice();
    const before = await stored(id);
    for (const move of [{ mgmt_address: "203.0.113.7" }, { mgmt_port: 1161 }, { driver: "simulated" }]) {
      const res = await req("PATCH", `${DEVICES}${id}`, { ...move, status: "offline" });
      expect(res.statusCode, JSON.stringify(move)).toBe(422);
      expect(res.json().errors).toEqual([
        {
          path: "credentials",
          message: expect.stringContaining(`required when ${Object.keys(move)[0]} changes`),
        },
      ]);
      expect(res.body).not.toContain("bound-community");
    }
    const after = await stored(id);
    expect(after).toEqual(before);
    expect((await req("GET", `${DEVICES}${id}`)).json()).toMatchObject({
      status: "active",
      has_credentials: true,
    });
  });

  it("goes through with new credentials (sealed for the new address) or with credentials: null", async () => {
    const id = await snmpDevice();
    const moved = await req("PATCH", `${DEVICES}${id}`, {
      mgmt_address: "203.0.113.8",
      credentials: { version: "v2c", community: "new-community" },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ mgmt_address: "203.0.113.8", has_credentials: true });
    const row = await stored(id);
    expect(sealer().open(row.credentials as Buffer, bindingOf(row))).toEqual({
      version: "v2c",
      community: "new-community",
    });
    expect(() =>
      sealer().open(row.credentials as Buffer, { ...bindingOf(row), address: "10.20.0.1" }),
    ).toThrow(CredentialSealError);
    const cleared = await req("PATCH", `${DEVICES}${id}`, { mgmt_port: 1161, credentials: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ mgmt_port: 1161, has_credentials: false });
  });

  it("is not a move when nothing about reachability changes, or the device has no credentials", async () => {
    const id = await snmpDevice();
    const same = await req("PATCH", `${DEVICES}${id}`, {
      mgmt_address: "10.20.0.1",
      hostname: `renamed-${id}`,
    });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ has_credentials: true });
    const row = await stored(id);
    expect(sealer().open(row.credentials as Buffer, bindingOf(row))).toEqual(community);
    const bare = await snmpDevice({ credentials: undefined });
    expect((await req("PATCH", `${DEVICES}${bare}`, { mgmt_address: "10.20.0.9" })).statusCode).toBe(200);
  });
});

describe("sealed credentials are bound to their device", () => {
  it("a batch seals each row for its own id; a ciphertext copied to another row does not open", async () => {
    const res = await req("POST", DEVICES, [
      device(101, { driver: "snmp", mgmt_address: "10.30.0.1", credentials: community }),
      device(102, { driver: "snmp", mgmt_address: "10.30.0.1", credentials: community }),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const [a, b] = await Promise.all(res.json().results.map((d: { id: string }) => stored(d.id)));
    expect(sealer().open(a?.credentials as Buffer, bindingOf(a as Stored))).toEqual(community);
    expect(sealer().open(b?.credentials as Buffer, bindingOf(b as Stored))).toEqual(community);
    let reason: string | undefined;
    try {
      sealer().open(a?.credentials as Buffer, bindingOf(b as Stored));
    } catch (err) {
      reason = (err as CredentialSealError).reason;
    }
    expect(reason).toBe("not_bound");
  });
});

describe("credential keys at start-up", () => {
  const build = (env: Record<string, string>) => {
    const config = loadConfig({ ...h.ctx.env, NODE_ENV: "production", ...env });
    return buildApp({
      config,
      log: createLogger("api-test", { LOG_LEVEL: "silent", LOG_PRETTY: false }),
      db: h.db,
    });
  };

  it("refuses to build the API in production without a key or with a weak one", async () => {
    await expect(build({})).rejects.toThrow(CredentialKeyError);
    await expect(build({ CREDENTIAL_KEY: "11".repeat(32) })).rejects.toThrow(/all its bytes are equal/);
    const app = await build({ CREDENTIAL_KEYS: `k2:${randomBytes(32).toString("base64")}` });
    await app.close();
  });
});
