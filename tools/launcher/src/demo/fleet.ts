import type { DeviceInput, DeviceStatus, DeviceType, ErrorCode } from "@headless-ops/contracts";
import { deviceTypes } from "@headless-ops/contracts";

/**
 * The demo fleet: a few hundred `simulated` devices of every type across the demo
 * organizations, with a realistic failure mix. The one place that decides what the demo
 * devices are (a later SNMP-simulator demo swaps this module).
 */

export const demoOrganizations = [
  { id: 101, name: "Acme", slug: "acme" },
  { id: 102, name: "Globex", slug: "globex" },
  { id: 103, name: "Initech", slug: "initech" },
] as const;

const catalog: Record<DeviceType, { abbrev: string; models: [vendor: string, model: string, fw: string][] }> =
  {
    router: {
      abbrev: "rtr",
      models: [
        ["Cisco", "ISR4331", "17.9.4a"],
        ["Juniper", "MX204", "22.4R2"],
      ],
    },
    switch: {
      abbrev: "sw",
      models: [
        ["Cisco", "C9300-48P", "17.12.2"],
        ["Aruba", "2930F-48G", "16.11.0012"],
      ],
    },
    access_point: {
      abbrev: "ap",
      models: [
        ["Ubiquiti", "U6-Pro", "6.6.55"],
        ["Aruba", "AP-515", "8.11.2.1"],
      ],
    },
    firewall: {
      abbrev: "fw",
      models: [
        ["Fortinet", "FG-100F", "7.4.3"],
        ["Palo Alto", "PA-440", "11.1.2"],
      ],
    },
    wireless_controller: {
      abbrev: "wlc",
      models: [
        ["Cisco", "C9800-L", "17.9.5"],
        ["Aruba", "7205", "8.10.0.9"],
      ],
    },
    gateway: {
      abbrev: "gw",
      models: [
        ["MikroTik", "CCR2004", "7.14.3"],
        ["Cisco", "MX85", "18.107.2"],
      ],
    },
  };

/** Share of the fleet per behaviour; the rest answer normally. */
const failureMix: { share: number; failRate: number; code: ErrorCode; latencyMs?: number }[] = [
  { share: 0.06, failRate: 0.3, code: "connection_timeouts" }, // flaky: retries usually recover
  { share: 0.03, failRate: 1, code: "connection_timeouts", latencyMs: 800 },
  { share: 0.03, failRate: 1, code: "unreachable" },
  { share: 0.03, failRate: 1, code: "authentication_failures" },
  { share: 0.01, failRate: 1, code: "protocol_errors" },
  { share: 0.01, failRate: 1, code: "serial_missing" },
];

const statusMix: [DeviceStatus, number][] = [
  ["pending", 0.05],
  ["offline", 0.03],
  ["maintenance", 0.02],
];

/** Small deterministic PRNG (mulberry32): the same demo fleet every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, mix: [T, number][], fallback: T): T {
  let r = rand();
  for (const [value, share] of mix) {
    if (r < share) return value;
    r -= share;
  }
  return fallback;
}

export function demoFleet(opts: { perOrganization?: number; seed?: number } = {}): DeviceInput[] {
  const perOrg = opts.perOrganization ?? 100;
  const rand = random(opts.seed ?? 20_240_115);
  const serialChars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  const serial = (prefix: string) =>
    prefix + Array.from({ length: 8 }, () => serialChars[Math.floor(rand() * serialChars.length)]).join("");
  const devices: DeviceInput[] = [];
  for (const org of demoOrganizations) {
    for (let i = 0; i < perOrg; i++) {
      const type = deviceTypes[i % deviceTypes.length] as DeviceType;
      const entry = catalog[type];
      const [vendor, model, firmware] = entry.models[Math.floor(rand() * entry.models.length)] as [
        string,
        string,
        string,
      ];
      const behaviour = pick(
        rand,
        failureMix.map((f) => [f, f.share] as [(typeof failureMix)[number], number]),
        undefined,
      );
      const reported = serial(vendor.slice(0, 3).toUpperCase());
      // Most devices were never synced; some carry a recorded serial, a few a stale one (audit mismatches).
      const inventory = rand();
      const recorded = inventory < 0.7 ? null : inventory < 0.95 ? reported : serial("OLD");
      devices.push({
        organization_id: org.id,
        hostname: `${org.slug}-${entry.abbrev}-${String(i + 1).padStart(3, "0")}`,
        device_type: type,
        status: pick(rand, statusMix, "active"),
        driver: "simulated",
        sim: {
          latency_ms: behaviour?.latencyMs ?? 20 + Math.floor(rand() * 230),
          fail_rate: behaviour?.failRate ?? 0,
          fail_code: behaviour?.code ?? "connection_timeouts",
          serial: reported,
          model,
          vendor,
          firmware,
        },
        serial: recorded,
        model: recorded ? model : null,
        vendor: recorded ? vendor : null,
      });
    }
  }
  return devices;
}
