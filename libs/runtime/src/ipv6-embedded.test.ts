import { describe, expect, it } from "vitest";
import { createAddressGuard } from "./address-guard.js";
import { embeddedIpv4s } from "./ipv6-embedded.js";

const guard = createAddressGuard({ ALLOWED_NETWORKS: "", DENIED_NETWORKS: "", ALLOW_LOOPBACK: false });

describe("IPv4 embedded in IPv6", () => {
  it("finds the IPv4 address of every form a gateway or relay would deliver to", () => {
    expect(embeddedIpv4s("::169.254.169.254")).toEqual(["169.254.169.254"]);
    expect(embeddedIpv4s("64:ff9b::a9fe:a9fe")).toEqual(["169.254.169.254"]);
    // 6to4: 2002:<ipv4>::/48.
    expect(embeddedIpv4s("2002:a9fe:a9fe::1")).toEqual(["169.254.169.254"]);
    // Teredo: server in bits 32–63, client obfuscated (XOR ffff:ffff) in the last 32 bits.
    expect(embeddedIpv4s("2001:0:a01:203::5601:5601")).toEqual(["10.1.2.3", "169.254.169.254"]);
    // Local-use NAT64 (RFC 8215), /96 and /48 layouts (RFC 6052).
    expect(embeddedIpv4s("64:ff9b:1::a9fe:a9fe")).toEqual(["169.254.169.254"]);
    // A /48-layout address also fits the /56 layout (254.169.254.0): every layout that fits is judged.
    expect(embeddedIpv4s("64:ff9b:1:a9fe:a9:fe00::")).toContain("169.254.169.254");
    expect(embeddedIpv4s("64:ff9b:1:a01:2:300::")).toContain("10.1.2.3");
    // Ordinary global IPv6 carries none (2001:db8::/32 is not Teredo's 2001:0::/32).
    expect(embeddedIpv4s("2001:db8::1")).toEqual([]);
    expect(embeddedIpv4s("2a00:1450::1")).toEqual([]);
  });

  it("refuses 6to4, Teredo and local-use NAT64 addresses that lead to a denied IPv4 address", () => {
    for (const [address, inner] of [
      ["2002:a9fe:a9fe::1", "169.254.169.254"],
      ["2002:7f00:1::1", "127.0.0.1"],
      ["2001:0:a01:203::5601:5601", "169.254.169.254"],
      ["2001:0:a9fe:a9fe::f5fe:fdfc", "169.254.169.254"],
      ["64:ff9b:1::a9fe:a9fe", "169.254.169.254"],
      ["64:ff9b:1:a9fe:a9:fe00::", "169.254.169.254"],
      ["64:ff9b:1::7f00:1", "127.0.0.1"],
    ] as const) {
      expect(guard.check(address), address).toMatchObject({
        allowed: false,
        reason: expect.stringContaining(`embeds ${inner}`),
      });
    }
  });

  it("keeps them allowed when they lead to an allowed address, in their IPv6 form", () => {
    for (const address of [
      "2002:a01:203::1",
      "2001:0:a01:203::f5fe:fdfc",
      "64:ff9b:1::a01:203",
      "64:ff9b:1:a01:2:300::",
    ]) {
      expect(guard.check(address), address).toEqual({ allowed: true, address, family: 6 });
    }
  });

  it("refuses deprecated site-local fec0::/10 by default, unless ALLOWED_NETWORKS opens it", () => {
    expect(guard.check("fec0::1")).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("site-local"),
    });
    expect(guard.check("feff::1")).toMatchObject({ allowed: false });
    const opened = createAddressGuard({
      ALLOWED_NETWORKS: "fec0::/10",
      DENIED_NETWORKS: "",
      ALLOW_LOOPBACK: false,
    });
    expect(opened.check("fec0::1")).toMatchObject({ allowed: true });
  });
});
