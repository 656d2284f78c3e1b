/** Just enough of an HTTP client for the demo: JSON (or CSV) in, JSON out, errors with the API's `detail`. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const raw = typeof body === "string" && contentType !== "application/json";
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { detail?: string; errors?: { path: string; message: string }[] };
        const fields = (parsed.errors ?? []).slice(0, 5).map((e) => `${e.path}: ${e.message}`);
        detail = [parsed.detail, ...fields].filter(Boolean).join("; ");
      } catch {
        // not JSON: keep the raw text
      }
      throw new Error(`${method} ${path} answered ${res.status}: ${detail}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
