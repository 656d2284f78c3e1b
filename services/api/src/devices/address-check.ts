import { isIP } from "node:net";
import type { AddressGuard } from "@headless-ops/runtime";

/*
 * Management addresses are checked when a device is saved (create, batch, CSV import, PATCH), so the
 * inventory never holds a target in a link-local, metadata or denied network, nor loopback unless
 * ALLOW_LOOPBACK. IP literals go through the address guard. Host names are not resolved here (a DNS
 * answer can change): they must be well-formed, and the prober resolves and checks them again right
 * before each probe and connects to the address it checked.
 */

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
/** Names that reach the machine itself or a cloud metadata service without any DNS record of ours. */
const LOOPBACK_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.localhost$/;
const METADATA_NAMES = /^(metadata|metadata\.google\.internal|instance-data|instance-data\.ec2\.internal)$/;

/**
 * A host name as resolvers read it. `127.1`, `2130706433` or `0x7f.1` are IPv4 addresses to
 * getaddrinfo (inet_aton forms) that would slip past an IP-literal check: a last label that is all
 * digits or hexadecimal makes the name invalid.
 */
function hostNameProblem(name: string): string | undefined {
  const host = name.toLowerCase().replace(/\.$/, "");
  const labels = host.split(".");
  const last = labels[labels.length - 1] ?? "";
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || /^(\d+|0x[0-9a-f]*)$/.test(last)) {
    return "is neither an IP address nor a valid host name";
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 literal (brackets and zone id removed), or undefined. */
function hextets(address: string): number[] | undefined {
  let ip = address.trim().replace(/^\[(.*)\]$/, "$1");
  if (ip.includes("%")) ip = ip.slice(0, ip.indexOf("%"));
  if (isIP(ip) !== 6) return undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    ip = `${ip.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => Number.parseInt(g, 16));
}

/**
 * The IPv4 address inside an IPv6 literal that carries one where the guard does not look:
 * IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d), which a
 * NAT64 gateway would forward to, e.g., 169.254.169.254. (IPv4-mapped ::ffff:a.b.c.d the guard handles.)
 */
function embeddedIpv4(address: string): string | undefined {
  const h = hextets(address);
  if (!h) return undefined;
  const prefix = h
    .slice(0, 6)
    .map((g) => g.toString(16))
    .join(":");
  const compatible = prefix === "0:0:0:0:0:0" && (h[6] !== 0 || (h[7] ?? 0) > 1);
  if (!compatible && prefix !== "0:0:0:0:ffff:0" && prefix !== "64:ff9b:0:0:0:0") return undefined;
  const [hi = 0, lo = 0] = h.slice(6);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** Why the address may not be stored, or undefined when it may. */
export function addressProblem(
  guard: AddressGuard,
  allowLoopback: boolean,
  address: string,
): string | undefined {
  const verdict = guard.check(address);
  const inner = embeddedIpv4(address);
  const innerVerdict = inner ? guard.check(inner) : undefined;
  if (innerVerdict && !innerVerdict.allowed)
    return `address refused: embeds ${inner}: ${innerVerdict.reason}`;
  if (verdict.allowed) return undefined;
  if (verdict.reason !== "not an IP address") return `address refused: ${verdict.reason}`;
  const invalid = hostNameProblem(address);
  if (invalid) return invalid;
  const host = address.toLowerCase().replace(/\.$/, "");
  if (METADATA_NAMES.test(host)) return "address refused: cloud metadata service";
  if (LOOPBACK_NAMES.test(host) && !allowLoopback) {
    return "address refused: loopback is not allowed (ALLOW_LOOPBACK is off)";
  }
  return undefined;
}
