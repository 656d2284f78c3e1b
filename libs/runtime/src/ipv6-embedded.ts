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

const dotted = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");

/** The 128 bits of the address as a bigint, to cut RFC 6052 fields at any bit offset. */
const bitsOf = (h: readonly number[]) => h.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
const field = (bits: bigint, from: number, length: number) =>
  Number((bits >> BigInt(128 - from - length)) & ((1n << BigInt(length)) - 1n));

/**
 * The IPv4 address of a local-use NAT64 prefix (64:ff9b:1::/48, RFC 8215) for each RFC 6052 prefix
 * length the operator may have chosen inside it (/48, /56, /64, /96). A layout counts only when the
 * reserved octet (bits 64–71) and the suffix after the IPv4 address are zero, as RFC 6052 writes them;
 * every layout that fits is judged, since the guard cannot know which one the gateway uses.
 */
function localNat64(h: readonly number[]): string[] {
  const bits = bitsOf(h);
  const layouts: { parts: [number, number][]; end: number }[] = [
    {
      parts: [
        [48, 16],
        [72, 16],
      ],
      end: 88,
    },
    {
      parts: [
        [56, 8],
        [72, 24],
      ],
      end: 96,
    },
    { parts: [[72, 32]], end: 104 },
    { parts: [[96, 32]], end: 128 },
  ];
  return layouts.flatMap(({ parts, end }) => {
    const reservedZero = parts.length === 1 && parts[0]?.[0] === 96 ? true : field(bits, 64, 8) === 0;
    if (!reservedZero || (end < 128 && field(bits, end, 128 - end) !== 0)) return [];
    const v4 = parts.reduce((acc, [from, length]) => acc * 2 ** length + field(bits, from, length), 0);
    // All zeros is the other layouts' padding, not an address (64:ff9b:1:a00:1:: read as /96).
    if (v4 === 0) return [];
    return [dotted(Math.floor(v4 / 65536), v4 % 65536)];
  });
}

/**
 * The IPv4 addresses inside an IPv6 literal that carries one a gateway or relay would route to:
 * IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d, and the
 * local-use 64:ff9b:1::/48 in each of its layouts), 6to4 (2002:aabb:ccdd::/48) and Teredo
 * (2001:0:<server>::<client XOR ffff:ffff>, both server and client). A NAT64 gateway would forward
 * 64:ff9b::a9fe:a9fe to 169.254.169.254; a 6to4 or Teredo relay would deliver to the IPv4 host.
 * IPv4-mapped (::ffff:a.b.c.d) is unwrapped by the guard's `normalize`.
 */
export function embeddedIpv4s(address: string): string[] {
  const h = hextets(address);
  if (!h) return [];
  const g = (i: number) => h[i] ?? 0;
  const prefix = h
    .slice(0, 6)
    .map((x) => x.toString(16))
    .join(":");
  const compatible = prefix === "0:0:0:0:0:0" && (g(6) !== 0 || g(7) > 1);
  if (compatible || prefix === "0:0:0:0:ffff:0" || prefix === "64:ff9b:0:0:0:0") return [dotted(g(6), g(7))];
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 1) return localNat64(h);
  if (g(0) === 0x2002) return [dotted(g(1), g(2))];
  if (g(0) === 0x2001 && g(1) === 0) return [dotted(g(2), g(3)), dotted(g(6) ^ 0xffff, g(7) ^ 0xffff)];
  return [];
}
