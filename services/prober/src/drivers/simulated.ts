import { type ObservedValues, SimProfile } from "@headless-ops/contracts";
import type { Driver, ProbeOutcome, ProbeRequest } from "./driver.js";

/**
 * A number in [0, 1) fixed by device and attempt (FNV-1a, then a murmur finaliser), so tests can
 * predict which attempts of a partly failing device fail.
 */
export function simulatedRoll(deviceId: string, attempt: number): number {
  let h = 0x811c9dc5;
  const key = `${deviceId}:${attempt}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** What the simulated driver reports for a device unless its profile says otherwise. */
export function simulatedSerial(deviceId: string): string {
  return `SIM${deviceId.padStart(10, "0")}`;
}

const defaultProfile = SimProfile.parse({});

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The `simulated` driver: latency and failure mix from the device's `sim` profile. An attempt fails
 * with `fail_code` when `simulatedRoll(device, attempt) < fail_rate`; a latency above the attempt's
 * timeout ends as `connection_timeouts`.
 */
export class SimulatedDriver implements Driver {
  readonly name = "simulated";

  async probe(request: ProbeRequest): Promise<ProbeOutcome> {
    const sim = request.device.sim ?? defaultProfile;
    if (sim.latency_ms > 0) {
      const completed = await sleep(sim.latency_ms, request.signal);
      if (!completed)
        return { ok: false, code: "connection_timeouts", message: "simulated device did not answer" };
    }
    if (sim.fail_rate > 0 && simulatedRoll(request.device.device_id, request.attempt) < sim.fail_rate) {
      return { ok: false, code: sim.fail_code, message: `simulated ${sim.fail_code}` };
    }
    const observed: ObservedValues = {};
    if (request.needs.serial) observed.serial = sim.serial ?? simulatedSerial(request.device.device_id);
    if (request.needs.firmware || request.needs.serial) {
      observed.model = sim.model ?? "SIM-1000";
      observed.vendor = sim.vendor ?? "Simulated Networks";
    }
    if (request.needs.firmware) observed.firmware = sim.firmware ?? "1.0.0";
    if (request.needs.connectivity) {
      observed.reachable = true;
      observed.rtt_ms = sim.latency_ms;
    }
    return { ok: true, observed };
  }
}
