import { randomBytes } from "node:crypto";
import { createCredentialSealer } from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateCredentials } from "../src/devices/credential-rotation.js";
import { DEVICES, device, type Harness, startHarness } from "./harness.js";

/* `npm run admin -- credentials rotate` against a real database: batches, resume, concurrent writes. */

let h: Harness;
const k2 = randomBytes(32).toString("base64");
let ids: string[];

beforeAll(async () => {
  h = await startHarness(); // seals under CREDENTIAL_KEY (key id "default")
  const { auth } = await h.token([101]);
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: Array.from({ length: 25 }, (_, i) =>
      device(101, {
        driver: "snmp",
        mgmt_address: `10.40.0.${i + 1}`,
        credentials: { version: "v2c", community: `c-${i}` },
      }),
    ),
  });
  expect(res.statusCode, res.body).toBe(201);
  ids = res.json().results.map((d: { id: string }) => d.id);
});
afterAll(() => h?.close());

const rotating = () => createCredentialSealer(h.config.CREDENTIAL_KEY, `k2:${k2}`);
const keyIds = async () =>
  (
    await h.db.pool.query<{ k: string }>(
      "SELECT convert_from(substring(credentials FROM 3 FOR get_byte(credentials, 1)), 'UTF8') AS k FROM devices ORDER BY id",
    )
  ).rows.map((r) => r.k);

describe("rotateCredentials", () => {
  it("resumes after a given id, skips what is current, and keeps every value", async () => {
    const sealer = rotating();
    const first = await rotateCredentials(h.db.pool, sealer, { batchSize: 4, fromId: ids[9] });
    expect(first).toMatchObject({ scanned: 15, resealed: 15, failed: 0, last_device_id: ids[24] });
    expect((await keyIds()).filter((k) => k === "k2")).toHaveLength(15);
    const batches: number[] = [];
    const rest = await rotateCredentials(h.db.pool, sealer, {
      batchSize: 4,
      onBatch: (r) => batches.push(r.scanned),
    });
    expect(rest).toMatchObject({ scanned: 25, resealed: 10, already_current: 15, failed: 0 });
    expect(batches).toEqual([4, 8, 12, 16, 20, 24, 25]);
    expect(await keyIds()).toEqual(Array(25).fill("k2"));
    const { rows } = await h.db.pool.query<{
      id: string;
      organization_id: string;
      mgmt_address: string;
      credentials: Buffer;
    }>("SELECT id::text, organization_id::text, mgmt_address, credentials FROM devices ORDER BY devices.id");
    rows.forEach((r, i) => {
      const binding = {
        deviceId: r.id,
        organizationId: r.organization_id,
        address: r.mgmt_address,
        port: null,
      };
      expect(sealer.open(r.credentials, binding)).toEqual({ version: "v2c", community: `c-${i}` });
    });
  });

  it("leaves a row a PATCH changed meanwhile, and reports rows no held key opens", async () => {
    const k3 = randomBytes(32).toString("base64");
    const next = createCredentialSealer(undefined, `k3:${k3},k2:${k2}`);
    // A concurrent write between read and update: the UPDATE matches on the old ciphertext only.
    const pool = {
      query: async (text: string, values?: unknown[]) => {
        if (text.trimStart().startsWith("UPDATE")) {
          await h.db.pool.query(
            "UPDATE devices SET credentials = credentials || '\\x00'::bytea WHERE id = $1",
            [ids[0]],
          );
        }
        return h.db.pool.query(text, values);
      },
    } as unknown as typeof h.db.pool;
    const report = await rotateCredentials(pool, next, { batchSize: 50 });
    expect(report).toMatchObject({ scanned: 25, resealed: 24, changed_meanwhile: 1, failed: 0 });
    const again = await rotateCredentials(h.db.pool, next, { batchSize: 50 });
    expect(again).toMatchObject({ resealed: 0, failed: 1, failed_device_ids: [ids[0]] });
  });
});
