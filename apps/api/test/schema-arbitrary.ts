import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON schemas of the API's OpenAPI document, for fuzzing: most
 * values fit their schema closely enough to get past validation and into the handlers and the
 * database; the rest are hostile (wrong types, out of range, NUL, lone surrogates, huge strings,
 * prototype keys), because input that a schema should refuse must be refused with a 4xx too.
 */

/** The subset of JSON Schema the API's routes use. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
}

/** Values the fuzzer should try where a schema asks for them: ids that exist, cursors, … */
export interface Hints {
  /** Existing UUIDs (users, rooms), so requests reach past "not found". */
  readonly uuids: readonly string[];
  /** Extra candidates for a named field or parameter (a history cursor for `before`). */
  readonly byName?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

/** Characters that break naive text handling: NUL and controls, lone surrogates, RTL, emoji. */
const nastyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\n', '\t', '\r', '%', '\\', '"') },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u202e', '\ufeff', '\u{1f600}', 'é', '\u0301', '﷽') },
);

/** A string of any characters at all. */
export const nastyString = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: nastyChar, maxLength });

/** Something of a type no schema field expects, or of the right type with hostile content. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, -(2 ** 63), 1e308, -0),
  nastyString(),
  fc.constantFrom('', ' ', 'x'.repeat(5000), '\u0000'.repeat(10), '__proto__', 'null', 'NaN', '1e999'),
  fc.array(fc.oneof(fc.integer(), nastyString(5)), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', ''), fc.oneof(fc.integer(), nastyString(5)), {
    maxKeys: 2,
  }),
);

const uuidLike = (hints: Hints): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...hints.uuids) },
    { weight: 2, arbitrary: fc.uuid() },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.uuid().map((u) => `urn:uuid:${u}`),
        fc.uuid().map((u) => `{${u}}`),
        fc.uuid().map((u) => u.replace(/-/g, '')),
        fc.uuid().map((u) => u.toUpperCase()),
        fc.uuid().map((u) => `${u}\u0000`),
        fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
      ),
    },
  );

function stringFor(schema: Schema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  const extra = name ? hints.byName?.[name] : undefined;
  let fitting: fc.Arbitrary<unknown>;
  if (schema.enum) fitting = fc.constantFrom(...schema.enum);
  else if (schema.format === 'uuid') fitting = uuidLike(hints);
  else if (schema.format === 'email')
    fitting = fc.oneof(
      fc.emailAddress(),
      fc.emailAddress().map((e) => e.toUpperCase()),
      nastyString(10).map((s) => `${s}@example.com`),
    );
  else {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 64, 300);
    fitting = fc.oneof(
      fc.string({ minLength, maxLength }),
      fc.string({ unit: nastyChar, minLength, maxLength }),
      fc.string({ unit: 'grapheme', minLength, maxLength }),
    );
  }
  const options: fc.Arbitrary<unknown>[] = [fitting, fitting, fitting, hostile];
  if (extra) options.push(extra, extra);
  return fc.oneof(...options);
}

function numberFor(schema: Schema): fc.Arbitrary<unknown> {
  const min = schema.minimum ?? -1_000_000;
  const max = schema.maximum ?? 1_000_000;
  return fc.oneof(
    fc.integer({ min, max }),
    fc.integer({ min, max }),
    fc.constantFrom(min - 1, max + 1, 0, -1, 1.5, 2 ** 31, 2 ** 63, Number.MAX_SAFE_INTEGER + 2),
    fc.constantFrom('1', ' 1', '0x10', '1e3', '', 'NaN', 'Infinity'),
    hostile,
  );
}

/** An arbitrary for values of `schema`, mostly fitting it. `name` is the field or parameter name. */
export function fromSchema(schema: Schema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema, hints, name);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.oneof(fc.boolean(), hostile);
    case 'array': {
      const items = fromSchema(schema.items ?? {}, hints);
      const maxLength = Math.min(schema.maxItems ?? 5, 5);
      return fc.oneof(
        fc.array(items, { maxLength }),
        // Duplicates, and one element too many.
        items.map((item) => [item, item]),
        fc.array(items, { minLength: (schema.maxItems ?? 5) + 1, maxLength: (schema.maxItems ?? 5) + 1 }),
        hostile,
      );
    }
    case 'object':
      return objectFor(schema, hints);
    default:
      return hostile;
  }
}

function objectFor(schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, value]) => [key, fromSchema(value, hints, key)]),
  );
  const fitting = fc.record(model, { requiredKeys: [...(schema.required ?? [])] });
  return fc.oneof(
    { weight: 6, arbitrary: fitting },
    // Required fields missing.
    { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
    // A field nobody asked for, including prototype keys.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fitting, fc.constantFrom('__proto__', 'constructor', 'admin', ''), hostile)
        .map(([value, key, extra]) =>
          // defineProperty: an own "__proto__" key, which JSON.stringify then sends as it is.
          Object.defineProperty({ ...(value as object) }, key, { value: extra, enumerable: true }),
        ),
    },
    { weight: 1, arbitrary: hostile },
  );
}
