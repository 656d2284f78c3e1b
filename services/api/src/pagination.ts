import type { FastifyRequest } from "fastify";
import { badRequest, HttpError } from "./errors.js";

export type Page = { page: number; pageSize: number; offset: number };

export function pageOf(query: { page: number; page_size: number }): Page {
  return { page: query.page, pageSize: query.page_size, offset: (query.page - 1) * query.page_size };
}

/** DRF answers 404 "Invalid page." for a page past the last one (page 1 of nothing is fine). */
export function assertPageExists(page: Page, count: number): void {
  if (page.page > 1 && page.offset >= count) throw new HttpError(404, "Invalid page.");
}

/** A DNS name (labels of letters, digits and inner hyphens), an IPv4 or a bracketed IPv6, and a port. */
const PLAUSIBLE_HOST =
  /^(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** Whether a Host (or trusted X-Forwarded-Host) value can go into a link as it is. */
export function isPlausibleHost(host: string): boolean {
  return host.length <= 260 && PLAUSIBLE_HOST.test(host);
}

/**
 * The absolute base URL: PUBLIC_URL when configured, else the request's own scheme and host — which
 * a client chooses, so a Host that is not a plausible host name (a path, a quote, an `@`) is a 400
 * rather than a link pointing wherever the client wrote.
 */
export function baseUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  if (!isPlausibleHost(req.host) || (req.protocol !== "http" && req.protocol !== "https")) {
    throw badRequest("The Host header is not a valid host name.", [
      { path: "host", message: "not a host name" },
    ]);
  }
  return `${req.protocol}://${req.host}`;
}

/** Absolute `next` and `previous` links that keep every other query parameter of the request. */
export function pageLinks(
  req: FastifyRequest,
  publicUrl: string | undefined,
  page: Page,
  count: number,
): { next: string | null; previous: string | null } {
  const [path = "/", search = ""] = req.url.split("?");
  const link = (n: number) => {
    const params = new URLSearchParams(search);
    if (n === 1) params.delete("page");
    else params.set("page", String(n));
    // The size the page was served with: an over-large `page_size` was capped, and links say so.
    if (params.has("page_size")) params.set("page_size", String(page.pageSize));
    const qs = params.toString();
    return `${baseUrl(req, publicUrl)}${path}${qs ? `?${qs}` : ""}`;
  };
  const hasNext = page.offset + page.pageSize < count;
  return {
    next: hasNext ? link(page.page + 1) : null,
    previous: page.page > 1 ? link(page.page - 1) : null,
  };
}
