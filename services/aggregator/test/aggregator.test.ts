import { waitFor } from "@headless-ops/testkit";
import { headers } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Env,
  ledgerCounts,
  operation,
  publishResults,
  seedOperation,
  startEnv,
  waitProcessed,
} from "./fixtures.js";

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env.close());

const settle = () => new Promise((r) => setTimeout(r, 300));

describe("aggregator", () => {
  it("folds results into ledger, inventory, counters, error summary, progress and final status", async () => {
    const { op, ids } = await seedOperation(
      env,
      "bulk_serial_sync",
      Array.from({ length: 100 }, () => ({})),
      {
        update_firmware_info: true,
      },
    );
    const ok = ids.slice(0, 90);
    await publishResults(
      env,
      op,
      "bulk_serial_sync",
      ok.slice(0, 45).map((id) => ({
        device_id: id,
        observed: { serial: `S${id}`, model: "MX", vendor: "J", firmware: "2.1" },
      })),
      { update_firmware_info: true, validate_connectivity: false },
    );
    await waitProcessed(env, op, 45);
    const halfway = await operation(env, op);
    expect(halfway).toMatchObject({ status: "in_progress", progress: 45, failed_devices: 0 });
    expect(halfway?.estimated_completion).not.toBeNull();

    await publishResults(
      env,
      op,
      "bulk_serial_sync",
      ok.slice(45).map((id) => ({
        device_id: id,
        observed: { serial: `S${id}`, model: "MX", vendor: "J", firmware: "2.1" },
      })),
      { update_firmware_info: true, validate_connectivity: false },
    );
    await publishResults(env, op, "bulk_serial_sync", [
      ...ids.slice(90, 97).map((id) => ({
        device_id: id,
        outcome: "failed" as const,
        error_code: "connection_timeouts" as const,
        attempts: 3,
      })),
      ...ids.slice(97).map((id) => ({
        device_id: id,
        outcome: "failed" as const,
        error_code: "authentication_failures" as const,
      })),
    ]);
    await waitProcessed(env, op, 100);
    const done = await operation(env, op);
    expect(done).toMatchObject({
      status: "completed_with_errors",
      total_devices: 100,
      processed_devices: 100,
      failed_devices: 10,
      progress: 100,
      error_summary: { connection_timeouts: 7, authentication_failures: 3 },
    });
    expect(done?.finished_at).not.toBeNull();
    const inventory = await env.db.pool.query(
      "SELECT id, serial, model, vendor, firmware, last_probe_status, last_error_code FROM devices WHERE id = ANY($1::bigint[]) ORDER BY id",
      [[ids[0], ids[99]]],
    );
    expect(inventory.rows[0]).toMatchObject({
      serial: `S${ids[0]}`,
      model: "MX",
      vendor: "J",
      firmware: "2.1",
      last_probe_status: "succeeded",
    });
    expect(inventory.rows[1]).toMatchObject({
      serial: null,
      last_probe_status: "failed",
      last_error_code: "authentication_failures",
    });
    const ledger = await env.db.pool.query(
      "SELECT status, attempts, error_code FROM operation_devices WHERE operation_id = $1 AND device_id = $2",
      [op, ids[90]],
    );
    expect(ledger.rows[0]).toEqual({ status: "failed", attempts: 3, error_code: "connection_timeouts" });
  });

  it("is idempotent: a redelivered or duplicated result batch changes nothing", async () => {
    const { op, ids } = await seedOperation(
      env,
      "bulk_serial_sync",
      Array.from({ length: 20 }, () => ({})),
    );
    const first = ids
      .slice(0, 10)
      .map((id) => ({ device_id: id, outcome: "failed" as const, error_code: "unreachable" as const }));
    await publishResults(env, op, "bulk_serial_sync", first);
    await waitProcessed(env, op, 10);
    // The same results again (a redelivery), plus contradicting ones for the same devices.
    await publishResults(env, op, "bulk_serial_sync", first);
    await publishResults(
      env,
      op,
      "bulk_serial_sync",
      ids.slice(0, 10).map((id) => ({ device_id: id, observed: { serial: "X" } })),
    );
    await settle();
    const after = await operation(env, op);
    expect(after).toMatchObject({
      status: "in_progress",
      processed_devices: 10,
      failed_devices: 10,
      error_summary: { unreachable: 10 },
    });
    expect(await ledgerCounts(env, op)).toEqual({ terminal: 10, failed: 10 });
    const serials = await env.db.pool.query(
      "SELECT count(*)::int AS n FROM devices WHERE id = ANY($1::bigint[]) AND serial = 'X'",
      [ids],
    );
    expect(serials.rows[0].n).toBe(0);

    // Duplicates inside one batch count once; every device failed → failed.
    const rest = ids
      .slice(10)
      .map((id) => ({ device_id: id, outcome: "failed" as const, error_code: "protocol_errors" as const }));
    await publishResults(env, op, "bulk_serial_sync", [...rest, ...rest]);
    await waitProcessed(env, op, 20);
    expect(await operation(env, op)).toMatchObject({
      status: "failed",
      failed_devices: 20,
      error_summary: { unreachable: 10, protocol_errors: 10 },
    });
    expect(await ledgerCounts(env, op)).toEqual({ terminal: 20, failed: 20 });
  });

  it("terminates an invalid message and keeps consuming", async () => {
    const { op, ids } = await seedOperation(env, "bulk_serial_sync", [{}, {}]);
    const h = headers();
    h.set("Nats-Msg-Id", "bad-result-1");
    await env.js.publish(env.names.subjects.result, '{"v":1,"operation_id":"1","results":[]}', {
      headers: h,
    });
    await env.js.publish(env.names.subjects.result, "{not json");
    await publishResults(
      env,
      op,
      "bulk_serial_sync",
      ids.map((id) => ({ device_id: id })),
    );
    await waitProcessed(env, op, 2);
    expect((await operation(env, op))?.status).toBe("completed");
    const consumer = await env.js.consumers.get(
      env.names.streams.deviceResults,
      env.names.consumers.aggregator,
    );
    await waitFor(async () => {
      const info = await consumer.info();
      return info.num_pending + info.num_ack_pending === 0 ? true : undefined;
    });
  });

  it("isolates a batch the database rejects (id out of range) and folds the rest of its fold", async () => {
    const { op, ids } = await seedOperation(env, "bulk_serial_sync", [{}, {}, {}]);
    await publishResults(env, op, "bulk_serial_sync", [{ device_id: ids[0] }]);
    await publishResults(env, op, "bulk_serial_sync", [{ device_id: "99999999999999999999" }]);
    await publishResults(env, op, "bulk_serial_sync", [{ device_id: ids[1] }, { device_id: ids[2] }]);
    await waitProcessed(env, op, 3);
    expect((await operation(env, op))?.status).toBe("completed");
    const consumer = await env.js.consumers.get(
      env.names.streams.deviceResults,
      env.names.consumers.aggregator,
    );
    await waitFor(async () => {
      const info = await consumer.info();
      return info.num_pending + info.num_ack_pending === 0 ? true : undefined;
    });
  });

  it("inventory_audit compares serials without overwriting and counts serial_mismatches", async () => {
    const { op, ids } = await seedOperation(env, "inventory_audit", [
      { serial: "A1" },
      { serial: "B2" },
      { serial: null },
    ]);
    await publishResults(env, op, "inventory_audit", [
      { device_id: ids[0], observed: { serial: "A1" } },
      { device_id: ids[1], observed: { serial: "ZZ" } },
      { device_id: ids[2], observed: { serial: "C3" } },
    ]);
    await waitProcessed(env, op, 3);
    expect(await operation(env, op)).toMatchObject({
      status: "completed",
      error_summary: { serial_mismatches: 1 },
    });
    const devices = await env.db.pool.query(
      "SELECT serial FROM devices WHERE id = ANY($1::bigint[]) ORDER BY id",
      [ids],
    );
    expect(devices.rows.map((r) => r.serial)).toEqual(["A1", "B2", null]);
    const ledger = await env.db.pool.query(
      "SELECT observed FROM operation_devices WHERE operation_id = $1 AND device_id = $2",
      [op, ids[1]],
    );
    expect(ledger.rows[0].observed).toMatchObject({
      serial: "ZZ",
      recorded_serial: "B2",
      serial_mismatch: true,
    });
  });

  it("status_refresh sets devices active or offline; compliance_report records observed values", async () => {
    const refresh = await seedOperation(env, "status_refresh", [
      { status: "offline" },
      { status: "active" },
      { status: "maintenance" },
    ]);
    await publishResults(env, refresh.op, "status_refresh", [
      { device_id: refresh.ids[0], observed: { reachable: true, rtt_ms: 3 } },
      { device_id: refresh.ids[1], outcome: "failed", error_code: "unreachable" },
      { device_id: refresh.ids[2], outcome: "failed", error_code: "unreachable" },
    ]);
    await waitProcessed(env, refresh.op, 3);
    const statuses = await env.db.pool.query(
      "SELECT status FROM devices WHERE id = ANY($1::bigint[]) ORDER BY id",
      [refresh.ids],
    );
    expect(statuses.rows.map((r) => r.status)).toEqual(["active", "offline", "maintenance"]);

    const report = await seedOperation(env, "compliance_report", [{ serial: "OLD" }]);
    await publishResults(env, report.op, "compliance_report", [
      { device_id: report.ids[0], observed: { serial: "NEW", model: "M1", firmware: "9.9" } },
    ]);
    await waitProcessed(env, report.op, 1);
    const row = await env.db.pool.query("SELECT observed FROM operation_devices WHERE operation_id = $1", [
      report.op,
    ]);
    expect(row.rows[0].observed).toMatchObject({ serial: "NEW", model: "M1", firmware: "9.9" });
    const device = await env.db.pool.query("SELECT serial FROM devices WHERE id = $1", [report.ids[0]]);
    expect(device.rows[0].serial).toBe("OLD");
  });

  it("writes a device row only where a value changed (DEVICE_LAST_SEEN_RESOLUTION_S, 300 s)", async () => {
    const { op, ids } = await seedOperation(env, "bulk_serial_sync", [{}, {}, {}, {}, {}], {
      update_firmware_info: true,
    });
    const [same, newSerial, staleSeen, nowFailing, stillFailing] = ids as [
      string,
      string,
      string,
      string,
      string,
    ];
    // The inventory as a previous sync left it: what the probe will report again.
    await env.db.pool.query(
      `UPDATE devices SET serial = 'S' || id, model = 'MX', vendor = 'J', firmware = '2.1',
              last_seen = now() - interval '10 seconds', last_probe_status = 'succeeded', last_error_code = NULL,
              updated_at = now() - interval '1 day'
        WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    await env.db.pool.query("UPDATE devices SET last_seen = now() - interval '1 hour' WHERE id = $1", [
      staleSeen,
    ]);
    await env.db.pool.query(
      "UPDATE devices SET last_probe_status = 'failed', last_error_code = 'unreachable' WHERE id = $1",
      [stillFailing],
    );
    const rowsNow = async () =>
      new Map(
        (
          await env.db.pool.query<{
            id: string;
            version: string;
            serial: string;
            last_seen: Date;
            last_probe_status: string;
            last_error_code: string | null;
            updated_at: Date;
          }>(
            `SELECT id, xmin::text AS version, serial, last_seen, last_probe_status, last_error_code, updated_at
               FROM devices WHERE id = ANY($1::bigint[])`,
            [ids],
          )
        ).rows.map((r) => [r.id, r]),
      );
    const before = await rowsNow();
    const reported = (id: string, serial = `S${id}`) => ({
      device_id: id,
      observed: { serial, model: "MX", vendor: "J", firmware: "2.1" },
    });
    await publishResults(
      env,
      op,
      "bulk_serial_sync",
      [
        reported(same),
        reported(newSerial, "REPLACED"),
        reported(staleSeen),
        { device_id: nowFailing, outcome: "failed" as const, error_code: "unreachable" as const },
        { device_id: stillFailing, outcome: "failed" as const, error_code: "unreachable" as const },
      ],
      { update_firmware_info: true, validate_connectivity: false },
    );
    await waitProcessed(env, op, 5);
    const after = await rowsNow();

    // Unchanged results: the ledger moved, the device rows were not written at all.
    for (const id of [same, stillFailing]) {
      expect(after.get(id)?.version, `device ${id} row version`).toBe(before.get(id)?.version);
      expect(after.get(id)?.updated_at).toEqual(before.get(id)?.updated_at);
      expect(after.get(id)?.last_seen).toEqual(before.get(id)?.last_seen);
    }
    // Changed ones were written, with what changed.
    for (const id of [newSerial, staleSeen, nowFailing]) {
      expect(after.get(id)?.version, `device ${id} row version`).not.toBe(before.get(id)?.version);
      expect(after.get(id)?.updated_at.getTime()).toBeGreaterThan(before.get(id)?.updated_at.getTime() ?? 0);
    }
    expect(after.get(newSerial)?.serial).toBe("REPLACED");
    expect(after.get(staleSeen)?.last_seen.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after.get(nowFailing)).toMatchObject({
      last_probe_status: "failed",
      last_error_code: "unreachable",
    });
    // Skipping the inventory write changes nothing in the ledger or the counters.
    expect(await ledgerCounts(env, op)).toEqual({ terminal: 5, failed: 2 });
    expect(await operation(env, op)).toMatchObject({
      status: "completed_with_errors",
      processed_devices: 5,
      failed_devices: 2,
    });
  });

  it("ends a cancel-requested operation cancelled once every device is terminal", async () => {
    const { op, ids } = await seedOperation(env, "bulk_serial_sync", [{}, {}, {}]);
    await env.db.pool.query("UPDATE operations SET cancel_requested_at = now() WHERE id = $1", [op]);
    await publishResults(env, op, "bulk_serial_sync", [
      { device_id: ids[0], observed: { serial: "S" } },
      { device_id: ids[1], outcome: "cancelled" },
      { device_id: ids[2], outcome: "cancelled" },
    ]);
    await waitProcessed(env, op, 3);
    expect(await operation(env, op)).toMatchObject({
      status: "cancelled",
      failed_devices: 0,
      processed_devices: 3,
    });
  });
});
