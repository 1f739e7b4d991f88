import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Postgres, RedisClient } from '@co-talk/common';
import type { TwoLevelCache } from './cache';
import type { ApiEnv } from './config';
import type { MessageSearch } from './message-search';
import type { RoomMembersMirror } from './room-members';
import type { SignInThrottle } from './sign-in-throttle';

/** What the route modules share. */
export interface ApiContext {
  readonly env: ApiEnv;
  readonly postgres: Postgres;
  readonly redis: RedisClient;
  readonly cache: TwoLevelCache;
  readonly search: MessageSearch;
  /** Room membership mirrored to Redis for the gateway. */
  readonly members: RoomMembersMirror;
  /** Failed sign-ins per account and per address, with backoff. */
  readonly throttle: SignInThrottle;
}

/**
 * The app as the route modules see it: request and reply types come from each route's JSON
 * schema (json-schema-to-ts), so a route declares its shape once.
 */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  JsonSchemaToTsProvider
>;
