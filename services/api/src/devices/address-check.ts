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

/** Why the address may not be stored, or undefined when it may. */
export function addressProblem(
  guard: AddressGuard,
  allowLoopback: boolean,
  address: string,
): string | undefined {
  const verdict = guard.check(address);
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
