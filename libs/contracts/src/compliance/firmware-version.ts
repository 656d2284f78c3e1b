/*
 * Version-aware ordering of network OS versions, for the families the SNMP driver parses:
 *   IOS      15.2(4)M7, 15.2(7)E10      IOS-XE  17.9.4a, 17.12.3
 *   NX-OS    9.3(10), 10.2(6)           JUNOS   21.4R3-S5, 22.2R3.15
 *   EOS      4.30.2F, 4.31.1F           AOS-CX  10.12.1000
 * All of them read as a sequence of numbers and letter tags: `15.2(4)M7` is 15 · 2 · 4 · M · 7. Numbers
 * compare as numbers (M7 < M10), tags as letters, case-insensitively (JUNOS B1 < R1; EOS F < M), and a
 * version that is a prefix of another is the older one (17.9.4 < 17.9.4a, 21.4R3 < 21.4R3-S5).
 */

type Token = number | string;

/** The tokens of a version, or undefined when there is no number in it (not a version). */
export function firmwareTokens(version: string): Token[] | undefined {
  const cleaned = version
    .trim()
    .replace(/^version\s+/i, "")
    .replace(/^v(?=\d)/i, "");
  const parts = cleaned.match(/\d+|[a-z]+/gi);
  if (!parts?.some((p) => /^\d/.test(p))) return undefined;
  return parts.map((p) => (/^\d/.test(p) ? Number(p) : p.toLowerCase()));
}

function compareTokens(a: Token, b: Token): number {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  // A number where the other has a tag: a further numbered component ranks after a rebuild letter.
  return typeof a === "number" ? 1 : -1;
}

/**
 * -1, 0 or 1 as `a` is older than, the same as, or newer than `b`; undefined when either is not a
 * version (then nothing can be said about compliance).
 */
export function compareFirmware(a: string, b: string): -1 | 0 | 1 | undefined {
  const ta = firmwareTokens(a);
  const tb = firmwareTokens(b);
  if (!ta || !tb) return undefined;
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i += 1) {
    const c = compareTokens(ta[i] as Token, tb[i] as Token);
    if (c !== 0) return c as -1 | 1;
  }
  return Math.sign(ta.length - tb.length) as -1 | 0 | 1;
}

/**
 * Same version, ignoring spelling (`V17.9.4A` is `17.9.4a`). A name without any digit (an
 * `allowed_firmware` entry such as `golden` or `ROMMON`) is not a version, so it has no ordering: it
 * matches the same name, compared case-insensitively (compareFirmware alone would never match it,
 * and a baseline listing it would flag every device).
 */
export function sameFirmware(a: string, b: string): boolean {
  const c = compareFirmware(a, b);
  if (c !== undefined) return c === 0;
  const name = a.trim().toLowerCase();
  return name !== "" && name === b.trim().toLowerCase();
}
