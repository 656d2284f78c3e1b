/*
 * Firmware version from sysDescr, for agents whose entPhysicalSoftwareRev is empty. Each rule names the
 * platform it recognises; the first match wins. Unknown formats give undefined rather than a guess.
 */

type Rule = { platform: string; test: RegExp; version: RegExp };

const rules: readonly Rule[] = [
  { platform: "Cisco NX-OS", test: /Cisco NX-OS/i, version: /Version\s+([0-9][\w().-]*)/ },
  { platform: "Cisco IOS / IOS-XE", test: /Cisco IOS/i, version: /Version\s+([0-9][\w().-]*?)(?:,|\s|$)/ },
  { platform: "Juniper JUNOS", test: /JUNOS/, version: /JUNOS\s+([0-9][\w.-]*)/ },
  { platform: "Arista EOS", test: /Arista Networks EOS/i, version: /EOS version\s+([0-9][\w.-]*)/i },
  { platform: "ArubaOS", test: /ArubaOS/, version: /Version\s+([0-9][\w.-]*)/ },
  // Aruba AOS-CX and AOS-S (ProCurve): "… Swch FL.10.10.1020", "… revision WC.16.11.0012, ROM …"
  {
    platform: "Aruba AOS-CX / AOS-S",
    test: /^(Aruba|HP|ProCurve)\b/,
    version: /\b([A-Z]{2}\.\d{2}\.\d{2}\.\d{4})\b/,
  },
];

export function firmwareFromSysDescr(sysDescr: string | undefined): string | undefined {
  if (!sysDescr) return undefined;
  for (const rule of rules) {
    if (!rule.test.test(sysDescr)) continue;
    const version = rule.version.exec(sysDescr)?.[1];
    if (version) return version;
  }
  return undefined;
}
