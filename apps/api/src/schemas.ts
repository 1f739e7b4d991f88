/** JSON schemas shared by the routes; they validate input and document the OpenAPI output. */

/**
 * Canonical hyphenated UUIDs only. Ajv's `uuid` format alone also admits `urn:uuid:…`, which
 * PostgreSQL's uuid type refuses; the pattern keeps such input a 400 instead of a database error.
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const uuid = { type: 'string', format: 'uuid', pattern: UUID_PATTERN } as const;

/**
 * Text that people type (names, search queries): no control characters (PostgreSQL text cannot
 * hold NUL at all) and no unpaired surrogates (they cannot be encoded as UTF-8). Ajv compiles
 * patterns with the `u` flag, so a surrogate pair is one code point and passes.
 */
export const PLAIN_TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]*$';

/** A string of plain text, `minLength`..`maxLength` code points. */
export const plainText = <Min extends number, Max extends number>(minLength: Min, maxLength: Max) =>
  ({ type: 'string', minLength, maxLength, pattern: PLAIN_TEXT_PATTERN }) as const;

/** What a pattern means, for error messages (a regular expression is no help to a client). */
export const PATTERN_REASONS: Readonly<Record<string, string>> = {
  [UUID_PATTERN]: 'must be a UUID (8-4-4-4-12 hexadecimal digits)',
  [PLAIN_TEXT_PATTERN]: 'must not contain control characters (such as NUL) or unpaired surrogates',
};
export const timestamp = { type: 'string', format: 'date-time' } as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  required: ['error', 'message'],
  additionalProperties: false,
} as const;

/** A user as others see them. */
export const publicUserSchema = {
  type: 'object',
  properties: { id: uuid, displayName: { type: 'string' }, createdAt: timestamp },
  required: ['id', 'displayName', 'createdAt'],
  additionalProperties: false,
} as const;

/** A user as they see themselves. */
export const userSchema = {
  type: 'object',
  properties: { ...publicUserSchema.properties, email: { type: 'string' } },
  required: [...publicUserSchema.required, 'email'],
  additionalProperties: false,
} as const;

export const messageSchema = {
  type: 'object',
  properties: {
    id: uuid,
    roomId: uuid,
    senderId: uuid,
    content: { type: 'string' },
    createdAt: timestamp,
  },
  required: ['id', 'roomId', 'senderId', 'content', 'createdAt'],
  additionalProperties: false,
} as const;

export const roomSchema = {
  type: 'object',
  properties: { id: uuid, name: { type: 'string' }, createdBy: uuid, createdAt: timestamp },
  required: ['id', 'name', 'createdBy', 'createdAt'],
  additionalProperties: false,
} as const;

export const roomIdParams = {
  type: 'object',
  properties: { roomId: uuid },
  required: ['roomId'],
  additionalProperties: false,
} as const;

/** Error responses every authenticated route may give. */
export const authErrors = { 400: errorSchema, 401: errorSchema, 404: errorSchema } as const;
