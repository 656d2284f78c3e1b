import { DEVICE_CSV_COLUMNS } from "@headless-ops/contracts";
import fc from "fast-check";
import { nastyNumber, nastyString } from "./values.js";

/*
 * Device CSV files, mostly broken: headers with unknown, missing, duplicated or oddly cased columns,
 * cells with hostile values, unbalanced quotes, BOMs, CRLF, NUL bytes; now and then a valid row.
 */

const columns: string[] = [...DEVICE_CSV_COLUMNS];

const goodCell: Record<string, fc.Arbitrary<string>> = {
  organization_id: fc.constantFrom("101", "102", "103"),
  hostname: fc.nat().map((n) => `csv-${n}`),
  device_type: fc.constantFrom("router", "switch"),
  status: fc.constantFrom("active", "offline"),
  mgmt_address: fc.constantFrom("10.1.2.3", "2001:db8::7", "169.254.169.254", "127.0.0.1", "fe80::1"),
  mgmt_port: fc.constantFrom("161", "0", "65536"),
  driver: fc.constantFrom("snmp", "simulated"),
  snmp_version: fc.constantFrom("v2c", "v3", "v1"),
  community: fc.constantFrom("csv-community", ""),
};

const cell = (column: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: goodCell[column] ?? fc.constant("x") },
    { weight: 1, arbitrary: nastyString },
    { weight: 1, arbitrary: nastyNumber.map(String) },
  );

/** A cell as written to the file: bare, quoted, or with a broken quote. */
const written = (value: string): fc.Arbitrary<string> =>
  fc.constantFrom(value, `"${value.replaceAll('"', '""')}"`, `"${value}`, `${value}"x`);

export const csvBody: fc.Arbitrary<string> = fc
  .record({
    header: fc.oneof(
      { weight: 4, arbitrary: fc.shuffledSubarray(columns, { minLength: 1 }) },
      {
        weight: 1,
        arbitrary: fc.array(fc.oneof(fc.constantFrom(...columns, "COLOUR", "Hostname", ""), nastyString), {
          maxLength: 6,
        }),
      },
    ),
    rows: fc.integer({ min: 0, max: 6 }),
    prefix: fc.constantFrom("", "\ufeff", "\n\n", "\u0000"),
    eol: fc.constantFrom("\n", "\r\n", "\r"),
  })
  .chain(({ header, rows, prefix, eol }) =>
    fc
      .array(fc.tuple(...(header.length > 0 ? header : ["x"]).map((c) => cell(c).chain(written))), {
        minLength: rows,
        maxLength: rows,
      })
      .map((data) => prefix + [header.join(","), ...data.map((r) => r.join(","))].join(eol)),
  );
