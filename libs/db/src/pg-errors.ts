/*
 * The SQLSTATE codes the services act on (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * named so that a handler reads as the rule it applies.
 */

/** unique_violation: a concurrent insert of the same key committed first. */
export const PG_UNIQUE_VIOLATION = "23505";
/** deadlock_detected: the transaction was chosen as the victim; retrying it is safe. */
export const PG_DEADLOCK_DETECTED = "40P01";
/** serialization_failure: retrying the transaction is safe. */
export const PG_SERIALIZATION_FAILURE = "40001";
/** undefined_table: the relation does not exist (a database not migrated that far). */
export const PG_UNDEFINED_TABLE = "42P01";
/** Class 22, data exception: the input itself is bad, retrying cannot help. */
export const PG_DATA_EXCEPTION_CLASS = "22";

/** The SQLSTATE of a pg error, or undefined for anything else. */
export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
