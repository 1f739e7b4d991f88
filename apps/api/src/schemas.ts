/** JSON schemas shared by the routes; they validate input and document the OpenAPI output. */

export const uuid = { type: 'string', format: 'uuid' } as const;
export const timestamp = { type: 'string', format: 'date-time' } as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  required: ['error', 'message'],
} as const;

/** A user as others see them. */
export const publicUserSchema = {
  type: 'object',
  properties: { id: uuid, displayName: { type: 'string' }, createdAt: timestamp },
  required: ['id', 'displayName', 'createdAt'],
} as const;

/** A user as they see themselves. */
export const userSchema = {
  type: 'object',
  properties: { ...publicUserSchema.properties, email: { type: 'string' } },
  required: [...publicUserSchema.required, 'email'],
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
} as const;

export const roomSchema = {
  type: 'object',
  properties: { id: uuid, name: { type: 'string' }, createdBy: uuid, createdAt: timestamp },
  required: ['id', 'name', 'createdBy', 'createdAt'],
} as const;

export const roomIdParams = {
  type: 'object',
  properties: { roomId: uuid },
  required: ['roomId'],
  additionalProperties: false,
} as const;

/** Error responses every authenticated route may give. */
export const authErrors = { 400: errorSchema, 401: errorSchema, 404: errorSchema } as const;
