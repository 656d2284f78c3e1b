import { isIP } from "node:net";

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
 * The IPv4 address inside an IPv6 literal that carries one that a gateway would route to:
 * IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d), which a
 * NAT64 gateway would forward to, e.g., 169.254.169.254. IPv4-mapped (::ffff:a.b.c.d) is unwrapped by `normalize`.
 */
export function embeddedIpv4(address: string): string | undefined {
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
