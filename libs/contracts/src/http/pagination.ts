import { z } from "zod";

/** Largest `page_size` a list accepts; larger values are clamped, as Django REST framework does. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** `page` and `page_size` query parameters (DRF page-number pagination). */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    // Documented as the contract (≤ 200); a larger value is still accepted and capped, as DRF does.
    .meta({
      maximum: MAX_PAGE_SIZE,
      description: `Results per page, at most ${MAX_PAGE_SIZE} (larger values are capped)`,
    })
    .default(DEFAULT_PAGE_SIZE)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
});

/** `true`/`false`/`1`/`0` in a query string. */
export const QueryBool = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

/** A DRF page: `count`, absolute `next`/`previous` links, `results`. */
export function pageOf<T extends z.ZodType>(item: T) {
  const link = (which: string) =>
    z.url().nullable().describe(`Absolute URL of the ${which} page (its page_size capped), or null`);
  return z.object({
    count: z.number().int().min(0).describe("Results across all pages"),
    next: link("next"),
    previous: link("previous"),
    results: z.array(item),
  });
}
