let lastMs = 0;
let lastIso = "";

/** `new Date().toISOString()`, formatted once per millisecond however many results share it. */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
