import { type ApiClient, dataOf } from "./api-client.js";

const DEVICES = "/api/v1/devices/";
const IMPORT = "/api/v1/devices/import";

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
    const query = { organization_id: org, page_size: 1 };
    const existing = dataOf(`GET ${DEVICES}`, await api.GET(DEVICES, { params: { query } }));
    if (existing.count > 0) return { created: 0 };
  }
  const imported = await api.POST(IMPORT, {
    body: csv,
    headers: { "content-type": "text/csv" },
    // The body is the CSV text itself (openapi-fetch would JSON-encode a string).
    bodySerializer: (body) => body,
  });
  return { created: dataOf(`POST ${IMPORT}`, imported).created };
}
