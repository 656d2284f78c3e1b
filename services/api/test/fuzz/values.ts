import fc from "fast-check";

/*
 * Hostile values for the fuzz test: strings, numbers and JSON that break naive parsers, validators
 * and Postgres (NUL bytes, lone surrogates, numbers past int8 and float range, deep nesting).
 */

/** Strings chosen to break something somewhere. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\udfff",
    "💥",
    "\u202e\u0301",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "9007199254740993",
    "99999999999999999999999",
    "0x10",
    "1_000",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE devices;--",
    "%00",
    "\r\n",
    "\\",
    '"',
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "2024-02-30T00:00:00Z",
    "169.254.169.254",
    "fe80::1",
    "127.0.0.1",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 100, max: 3_000 }))
    .map(([s, n]) => s.repeat(n)),
);

/** Numbers at and past every boundary a schema or a bigint column has. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e21,
    1e300,
    -1e300,
    Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 63,
    -(2 ** 63),
    65_536,
    1_441,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Timestamps at and past what JSON Schema, JavaScript and Postgres each accept. */
export const nastyDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59Z",
    "2024-02-29T23:59:60Z",
    "2023-02-29T00:00:00Z",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00.123456789Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01 00:00:00Z",
    "+010000-01-01T00:00:00Z",
  ),
  fc
    .date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
    .map((d) => d.toISOString()),
);

/** Nested arrays/objects `depth` levels deep, as a JSON value. */
export function nested(depth: number, asObject: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = asObject ? { a: value } : [value];
  return value;
}

/** Any hostile JSON value. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyDate },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 50, max: 3_000 }), fc.boolean()).map(([d, o]) => nested(d, o)),
  },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 20 }) },
);

export type Mutation = { path: (string | number)[]; op: "set" | "delete"; value: unknown };

/** One change to a valid body: a field replaced by a hostile value, removed, or an unknown field added. */
export function mutation(paths: (string | number)[][]): fc.Arbitrary<Mutation> {
  // Half the time the value fits the field's kind (a date for a timestamp, a number for a count):
  // that is where a validator passes a value the database then refuses.
  const fitting = (path: (string | number)[]): fc.Arbitrary<unknown> => {
    const last = String(path[path.length - 1] ?? "");
    if (/_at$|last_seen/.test(last)) return nastyDate;
    if (/_id$|port|_ms$|_rate|_minutes|^\d+$/.test(last)) return nastyNumber;
    return nastyString;
  };
  return fc.oneof(
    fc.constantFrom(...paths).chain((path) =>
      fc.record({
        path: fc.constant(path),
        op: fc.constant("set" as const),
        value: fc.oneof(fitting(path), nastyJson),
      }),
    ),
    fc.record({ path: fc.constantFrom(...paths), op: fc.constant("delete" as const), value: fc.constant(0) }),
    fc
      .tuple(fc.constantFrom(...paths), nastyString, nastyJson)
      .map(([p, key, value]) => ({ path: [...p.slice(0, -1), key], op: "set" as const, value })),
  );
}

/** Applies mutations to a deep copy; a path through a non-object replaces that node by an object. */
export function applyMutations(template: unknown, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(template);
  for (const m of mutations) {
    if (m.path.length === 0) {
      root = m.op === "delete" ? undefined : m.value;
      continue;
    }
    if (typeof root !== "object" || root === null) root = {};
    let node = root as Record<string | number, unknown>;
    for (const key of m.path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null) node[key] = {};
      node = node[key] as Record<string | number, unknown>;
    }
    const last = m.path[m.path.length - 1] as string | number;
    if (m.op === "delete") delete node[last];
    else node[last] = m.value;
  }
  return root;
}
