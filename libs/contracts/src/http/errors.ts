import { z } from "zod";

/** The one error body of every HTTP error: a summary and, when fields are at fault, one entry per field. */
export const ErrorBody = z
  .object({
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;
export type FieldError = ErrorBody["errors"][number];
