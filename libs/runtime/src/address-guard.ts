import { lookup } from "node:dns/promises";
import { BlockList, isIP, SocketAddress } from "node:net";
import { embeddedIpv4s } from "./ipv6-embedded.js";

/*
 * Address guard against server-side request forgery: management addresses are checked when a device is
 * saved (API) and again right before it is probed (prober), so a later DNS answer or config change cannot
 * point a probe at the metadata service or the cluster's own loopback.
 */

export type AddressGuardConfig = {
  /** Comma-separated CIDRs; when non-empty, addresses must be inside one of them. */
  ALLOWED_NETWORKS: string;
  /** Comma-separated CIDRs that are always refused. */
  DENIED_NETWORKS: string;
  /** Loopback (127.0.0.0/8, ::1) is refused unless this is on (demo and tests). */
  ALLOW_LOOPBACK: boolean;
};

export type AddressVerdict =
  | { allowed: true; address: string; family: 4 | 6 }
  | { allowed: false; address: string; reason: string };

export type AddressGuard = {
  /** Checks one IP literal (IPv4, IPv6, IPv4-mapped IPv6). Host names are refused: resolve them first. */
  check(address: string): AddressVerdict;
};

export class AddressGuardConfigError extends Error {
  override readonly name = "AddressGuardConfigError";
  readonly code = "invalid_config";
}

/** Denied unless explicitly inside ALLOWED_NETWORKS: link-local, cloud metadata, multicast, unspecified. */
const builtInDenied: ReadonlyArray<readonly [string, string]> = [
  ["0.0.0.0/8", "unspecified"],
  ["169.254.0.0/16", "link-local (includes the 169.254.169.254 metadata service)"],
  ["100.100.100.200/32", "cloud metadata service"],
  ["168.63.129.16/32", "cloud platform service"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved or broadcast"],
  ["::/128", "unspecified"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local (deprecated by RFC 3879; routed like a private network where still used)"],
  ["ff00::/8", "multicast"],
  ["fd00:ec2::254/128", "cloud metadata service"],
];
const loopbackNetworks = ["127.0.0.0/8", "::1/128"];

type Network = { cidr: string; list: BlockList };

function parseNetwork(cidr: string): Network {
  const [base, bitsText] = cidr.split("/");
  const family = base ? isIP(base) : 0;
  const bits = bitsText === undefined ? (family === 6 ? 128 : 32) : Number(bitsText);
  const max = family === 6 ? 128 : 32;
  if (!base || family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new AddressGuardConfigError(`invalid network "${cidr}": expected an IP or CIDR such as 10.0.0.0/8`);
  }
  const list = new BlockList();
  list.addSubnet(base, bits, family === 6 ? "ipv6" : "ipv4");
  return { cidr, list };
}

/** Parses a comma-separated CIDR list; throws AddressGuardConfigError naming the bad entry. */
export function parseNetworks(value: string): Network[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(parseNetwork);
}

/** Strips brackets and zone ids and turns IPv4-mapped IPv6 (::ffff:a.b.c.d) into plain IPv4. */
function normalize(address: string): { ip: string; family: 4 | 6 } | null {
  let ip = address.trim().replace(/^\[(.*)\]$/, "$1");
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) ip = mapped[1];
  const family = isIP(ip);
  if (family === 0) return null;
  return { ip: ip.toLowerCase(), family: family as 4 | 6 };
}

/** One BlockList over several networks: a single lookup on the hot path; the reason is found only on a hit. */
function union(networks: Network[]): BlockList {
  const list = new BlockList();
  for (const n of networks) {
    const [base, bits] = n.cidr.split("/") as [string, string | undefined];
    const family = isIP(base) === 6 ? "ipv6" : "ipv4";
    list.addSubnet(base, bits === undefined ? (family === "ipv6" ? 128 : 32) : Number(bits), family);
  }
  return list;
}

/** Builds the guard from config; throws AddressGuardConfigError at startup on a malformed network. */
export function createAddressGuard(config: AddressGuardConfig): AddressGuard {
  const allowed = parseNetworks(config.ALLOWED_NETWORKS);
  const denied = parseNetworks(config.DENIED_NETWORKS);
  const defaults = builtInDenied.map(([cidr, reason]) => ({ ...parseNetwork(cidr), reason }));
  const lists = {
    allowed: union(allowed),
    denied: union(denied),
    defaults: union(defaults),
    loopback: union(loopbackNetworks.map(parseNetwork)),
  };
  const guard: AddressGuard = {
    check(address) {
      // An IPv6 address that carries IPv4 ones (compatible, translated, NAT64, 6to4, Teredo) is judged
      // by each of them too: a NAT64 gateway would forward 64:ff9b::a9fe:a9fe to the metadata service.
      for (const inner of embeddedIpv4s(address)) {
        const innerVerdict = guard.check(inner);
        if (!innerVerdict.allowed) {
          return { allowed: false, address, reason: `embeds ${inner}: ${innerVerdict.reason}` };
        }
      }
      const normalized = normalize(address);
      if (!normalized) return { allowed: false, address, reason: "not an IP address" };
      const { ip, family } = normalized;
      const at = new SocketAddress({ address: ip, family: family === 6 ? "ipv6" : "ipv4" });
      const hit = (networks: Network[]) => networks.find((n) => n.list.check(at));
      if (lists.denied.check(at)) {
        return { allowed: false, address: ip, reason: `in denied network ${hit(denied)?.cidr}` };
      }
      const loopback = lists.loopback.check(at);
      if (loopback && !config.ALLOW_LOOPBACK) {
        return { allowed: false, address: ip, reason: "loopback is not allowed (ALLOW_LOOPBACK is off)" };
      }
      const explicitlyAllowed = allowed.length > 0 && lists.allowed.check(at);
      if (!explicitlyAllowed && lists.defaults.check(at)) {
        return { allowed: false, address: ip, reason: (hit(defaults) as (typeof defaults)[number]).reason };
      }
      if (allowed.length > 0 && !explicitlyAllowed && !loopback) {
        return { allowed: false, address: ip, reason: "outside ALLOWED_NETWORKS" };
      }
      return { allowed: true, address: ip, family };
    },
  };
  return guard;
}

/**
 * Resolves a host name (or passes an IP literal through) and checks every address it resolves to; the
 * caller must connect to the returned address, not resolve again, so DNS cannot change the answer between
 * check and use.
 */
export async function resolveAndCheck(guard: AddressGuard, host: string): Promise<AddressVerdict> {
  if (normalize(host)) return guard.check(host);
  let resolved: { address: string }[];
  try {
    resolved = await lookup(host, { all: true, verbatim: true });
  } catch {
    return { allowed: false, address: host, reason: "host name does not resolve" };
  }
  const verdicts = resolved.map((r) => guard.check(r.address));
  const refused = verdicts.find((v) => !v.allowed);
  if (refused) return { ...refused, reason: `${host} resolves to ${refused.address}: ${refused.reason}` };
  return verdicts[0] ?? { allowed: false, address: host, reason: "host name does not resolve" };
}
