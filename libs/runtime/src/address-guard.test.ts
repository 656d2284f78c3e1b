import { describe, expect, it } from "vitest";
import { AddressGuardConfigError, createAddressGuard, resolveAndCheck } from "./address-guard.js";

const base = { ALLOWED_NETWORKS: "", DENIED_NETWORKS: "", ALLOW_LOOPBACK: false };

describe("address guard", () => {
  it("refuses link-local and metadata addresses by default, in every spelling", () => {
    const guard = createAddressGuard(base);
    for (const address of [
      "169.254.169.254",
      "::ffff:169.254.169.254",
      "fe80::1",
      "fd00:ec2::254",
      "100.100.100.200",
    ]) {
      expect(guard.check(address)).toMatchObject({ allowed: false });
    }
    expect(guard.check("10.1.2.3")).toEqual({ allowed: true, address: "10.1.2.3", family: 4 });
    expect(guard.check("2001:db8::1")).toMatchObject({ allowed: true, family: 6 });
  });

  it("judges an IPv6 address by the IPv4 address it carries (compatible, translated, NAT64)", () => {
    const guard = createAddressGuard(base);
    for (const address of ["::169.254.169.254", "::ffff:0:169.254.169.254", "64:ff9b::a9fe:a9fe"]) {
      expect(guard.check(address)).toMatchObject({
        allowed: false,
        reason: expect.stringContaining("169.254.169.254"),
      });
    }
    // A NAT64 route to an ordinary address stays allowed, and keeps its IPv6 form for the connection.
    expect(guard.check("64:ff9b::a01:203")).toEqual({
      allowed: true,
      address: "64:ff9b::a01:203",
      family: 6,
    });
  });

  it("allows loopback only when ALLOW_LOOPBACK is on", () => {
    expect(createAddressGuard(base).check("127.0.0.1")).toMatchObject({ allowed: false });
    expect(createAddressGuard(base).check("::1")).toMatchObject({ allowed: false });
    const guard = createAddressGuard({ ...base, ALLOW_LOOPBACK: true });
    expect(guard.check("127.10.3.4")).toMatchObject({ allowed: true });
  });

  it("keeps addresses inside ALLOWED_NETWORKS and lets DENIED_NETWORKS win", () => {
    const guard = createAddressGuard({
      ...base,
      ALLOWED_NETWORKS: "10.0.0.0/8, 192.168.1.0/24",
      DENIED_NETWORKS: "10.9.0.0/16",
    });
    expect(guard.check("10.1.1.1")).toMatchObject({ allowed: true });
    expect(guard.check("192.168.2.1")).toMatchObject({ allowed: false, reason: "outside ALLOWED_NETWORKS" });
    expect(guard.check("10.9.1.1")).toMatchObject({
      allowed: false,
      reason: "in denied network 10.9.0.0/16",
    });
  });

  it("lets an explicit allowed network open a default-denied range", () => {
    const guard = createAddressGuard({ ...base, ALLOWED_NETWORKS: "169.254.10.0/24" });
    expect(guard.check("169.254.10.5")).toMatchObject({ allowed: true });
    expect(guard.check("169.254.169.254")).toMatchObject({ allowed: false });
  });

  it("refuses host names in check and rejects malformed networks at startup", async () => {
    const guard = createAddressGuard(base);
    expect(guard.check("router.example")).toMatchObject({ allowed: false, reason: "not an IP address" });
    expect(() => createAddressGuard({ ...base, DENIED_NETWORKS: "10.0.0.0/33" })).toThrow(
      AddressGuardConfigError,
    );
    expect(await resolveAndCheck(guard, "localhost")).toMatchObject({ allowed: false });
    expect(await resolveAndCheck(guard, "10.0.0.1")).toMatchObject({ allowed: true });
  });
});
