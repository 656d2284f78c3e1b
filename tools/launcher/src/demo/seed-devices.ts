import type { DeviceInput } from "@headless-ops/contracts";
import type { ApiClient } from "./api-client.js";

/**
 * Registers the demo fleet through `POST /api/v1/devices/` (one all-or-nothing batch per
 * organization), unless that organization already has devices (the demo ran before).
 */
export async function seedDevices(
  api: ApiClient,
  fleet: readonly DeviceInput[],
): Promise<{ created: number; skippedOrganizations: number[] }> {
  const byOrg = new Map<number, DeviceInput[]>();
  for (const device of fleet) {
    byOrg.set(device.organization_id, [...(byOrg.get(device.organization_id) ?? []), device]);
  }
  let created = 0;
  const skippedOrganizations: number[] = [];
  for (const [org, devices] of byOrg) {
    const existing = await api.request<{ count: number }>(
      "GET",
      `/api/v1/devices/?organization_id=${org}&page_size=1`,
    );
    if (existing.count > 0) {
      skippedOrganizations.push(org);
      continue;
    }
    await api.request("POST", "/api/v1/devices/", devices);
    created += devices.length;
  }
  return { created, skippedOrganizations };
}
