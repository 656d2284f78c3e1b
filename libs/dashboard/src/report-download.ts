import { type ApiClient, OPERATIONS, problemOf } from "./api.js";

/**
 * Saves an operation's CSV report as `operation-<id>.csv`. The token goes in the Authorization
 * header of a fetch (never in a URL a link or the access log would carry); the answer becomes a
 * blob that an anchor with `download` hands to the browser. Returns a problem to show, if any.
 */
export async function downloadReportCsv(api: ApiClient, id: string): Promise<string | undefined> {
  const { data, error, response } = await api.GET(`${OPERATIONS}{id}/report`, {
    params: { path: { id }, query: { format: "csv" } },
    parseAs: "blob",
  });
  if (!response.ok || !(data instanceof Blob)) return problemOf(error, response.status);
  const url = URL.createObjectURL(data);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = `operation-${id}.csv`;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The browser has taken the blob once the click is handled; free it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return undefined;
}
