import type { DeviceType } from "@headless-ops/contracts";
import { type Family, pickFamily, type Rng } from "./catalog.js";

/*
 * The fleet as data: every device's identity, SNMP access and behaviour, derived deterministically from
 * (seed, device index) so a run can be reproduced and a device's values do not depend on fleet size.
 */

export const behaviours = [
  "ok",
  "silent",
  "unreachable",
  "flapping",
  "wrong_credentials",
  "no_serial",
  "malformed",
] as const;
export type Behaviour = (typeof behaviours)[number];

export type SnmpAccess =
  | { version: "v2c"; community: string }
  | {
      version: "v3";
      user: string;
      level: "noAuthNoPriv" | "authNoPriv" | "authPriv";
      authProtocol?: "sha" | "sha256";
      authKey?: string;
      privProtocol?: "aes";
      privKey?: string;
    };

export type Layout = "single" | "stack" | "no_chassis_class" | "no_entity";

export type DeviceSpec = {
  index: number;
  hostname: string;
  organizationId: number;
  deviceType: DeviceType;
  vendor: string;
  mfgName: string;
  model: string;
  /** The chassis serial (member 1 of a stack); empty for no-serial devices. */
  serial: string;
  firmware: string;
  softwareRevExposed: boolean;
  sysDescr: string;
  sysObjectId: string;
  address: string;
  port: number;
  /** What the device is configured with. */
  access: SnmpAccess;
  /** What the inventory (CSV) says; differs for wrong_credentials devices. */
  inventoryAccess: SnmpAccess;
  behaviour: Behaviour;
  latencyMs: number;
  layout: Layout;
  /** Serials of stack members 2.. (member 1 is `serial`). */
  memberSerials: string[];
  engineId: Buffer;
  bootedAtOffsetS: number;
};

export type FleetOptions = {
  devices: number;
  seed: number;
  /** First address; devices take the following ones on 127/8, skipping .0 and .255. */
  addressBase?: string;
  /** UDP port every device listens on; 0 = each device gets its own free port. */
  port?: number;
  /** Share of devices spoken to over SNMPv3 (the rest v2c). */
  v3Share?: number;
  /** Share of devices that misbehave (silent, unreachable, flapping, wrong credentials, no serial, malformed). */
  faultRate?: number;
  /** Per-device latency range [min, max] in ms. */
  latencyMs?: readonly [number, number];
  organizations?: readonly number[];
  /** Share of stackable devices that are stacks. */
  stackShare?: number;
};

const faultMix: ReadonlyArray<readonly [Behaviour, number]> = [
  ["silent", 0.25],
  ["unreachable", 0.1],
  ["flapping", 0.15],
  ["wrong_credentials", 0.2],
  ["no_serial", 0.2],
  ["malformed", 0.1],
];

/** mulberry32: small, fast, good enough for test data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deviceRng = (seed: number, index: number): Rng =>
  mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));

function pickBehaviour(rng: Rng, faultRate: number): Behaviour {
  if (rng() >= faultRate) return "ok";
  let ticket = rng();
  for (const [behaviour, share] of faultMix) {
    ticket -= share;
    if (ticket < 0) return behaviour;
  }
  return "silent";
}

function pickAccess(rng: Rng, seed: number, org: number, v3Share: number): SnmpAccess {
  const secret = (seed >>> 0).toString(36);
  if (rng() >= v3Share) return { version: "v2c", community: `ro-${org}-${secret}` };
  const roll = rng();
  const authProtocol = rng() < 0.5 ? "sha" : "sha256";
  if (roll < 0.1) return { version: "v3", user: "inventory-ro", level: "noAuthNoPriv" };
  const auth = { authProtocol, authKey: `auth-${org}-${secret}-key` } as const;
  if (roll < 0.4) return { version: "v3", user: "inventory", level: "authNoPriv", ...auth };
  return {
    version: "v3",
    user: "inventory",
    level: "authPriv",
    ...auth,
    privProtocol: "aes",
    privKey: `priv-${org}-${secret}-key`,
  };
}

function wrongAccess(access: SnmpAccess): SnmpAccess {
  if (access.version === "v2c") return { ...access, community: `${access.community}-old` };
  if (access.level === "noAuthNoPriv") return { ...access, user: `${access.user}-old` };
  return { ...access, authKey: `${access.authKey}-old` };
}

export function ipv4ToInt(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}
export const intToIpv4 = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** Addresses for n devices after `base`, skipping .0 and .255. */
export function fleetAddresses(base: string, n: number): string[] {
  const out: string[] = [];
  let next = ipv4ToInt(base);
  while (out.length < n) {
    next++;
    const last = next & 255;
    if (last !== 0 && last !== 255) out.push(intToIpv4(next));
  }
  return out;
}

function chooseLayout(rng: Rng, family: Family, behaviour: Behaviour, stackShare: number): Layout {
  if (behaviour === "no_serial" && rng() < 0.5) return "no_entity";
  if (family.noChassisClass) return "no_chassis_class";
  return family.stackable && rng() < stackShare ? "stack" : "single";
}

export function buildFleet(options: FleetOptions): DeviceSpec[] {
  const organizations = options.organizations ?? [101, 102, 103];
  const [minLatency, maxLatency] = options.latencyMs ?? [0, 0];
  const addresses = fleetAddresses(options.addressBase ?? "127.16.0.0", options.devices);
  return addresses.map((address, index) => {
    const rng = deviceRng(options.seed, index);
    const family = pickFamily(rng);
    const organizationId = organizations[index % organizations.length] as number;
    const behaviour = pickBehaviour(rng, options.faultRate ?? 0);
    const access = pickAccess(rng, options.seed, organizationId, options.v3Share ?? 0);
    const firmware = family.firmwares[Math.floor(rng() * family.firmwares.length)] as string;
    const layout = chooseLayout(rng, family, behaviour, options.stackShare ?? 0.2);
    const serial = behaviour === "no_serial" ? "" : family.serial(rng);
    const engineId = Buffer.alloc(13);
    engineId.writeUInt32BE(0x80001f88, 0); // enterprise 8072 (net-snmp), format 5 = octets
    engineId[4] = 5;
    engineId.writeUInt32BE(options.seed >>> 0, 5);
    engineId.writeUInt32BE(index, 9);
    return {
      index,
      hostname: `${family.hostPrefix}-${String(index + 1).padStart(5, "0")}`,
      organizationId,
      deviceType: family.deviceType,
      vendor: family.vendor,
      mfgName: family.mfgName,
      model: family.model,
      serial,
      firmware,
      softwareRevExposed: rng() < family.softwareRevShare,
      sysDescr: family.sysDescr(family.model, firmware),
      sysObjectId: family.sysObjectId,
      address,
      port: options.port ?? 1161,
      access,
      inventoryAccess: behaviour === "wrong_credentials" ? wrongAccess(access) : access,
      behaviour,
      latencyMs: Math.round(minLatency + rng() * (maxLatency - minLatency)),
      layout,
      memberSerials: layout === "stack" ? [family.serial(rng)] : [],
      engineId,
      bootedAtOffsetS: Math.floor(rng() * 90 * 86_400),
    };
  });
}
