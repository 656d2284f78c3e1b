import type { ApiClient } from "./api-client.js";

/**
 * Imports the demo fleet's CSV through `POST /api/v1/devices/import`, unless the demo organizations
 * already have devices (the demo ran before against this database).
 */
export async function seedDevices(
  api: ApiClient,
  csv: string,
  organizations: readonly number[],
): Promise<{ created: number }> {
  for (const org of organizations) {
    const existing = await api.request<{ count: number }>(
      "GET",
      `/api/v1/devices/?organization_id=${org}&page_size=1`,
    );
    if (existing.count > 0) return { created: 0 };
  }
  const imported = await api.request<{ created?: number; count?: number }>(
    "POST",
    "/api/v1/devices/import",
    csv,
    "text/csv",
  );
  return { created: imported.created ?? imported.count ?? 0 };
}
