import { availableParallelism } from 'node:os';
import {
  allowedOriginsEnvShape,
  envPort,
  envPositiveInt,
  jwtSecret,
  loadEnv,
  logEnvShape,
  redisEnvShape,
  redisKeyPrefixEnvShape,
  redisRoleEnvShapes,
} from '@co-talk/common';
import { z } from 'zod';

/**
 * Every gateway setting, read from the environment once at start-up. Defaults are the production
 * values; the chart overrides only what a profile decides.
 */
export const gatewayEnvShape = {
  ...logEnvShape,
  ...redisEnvShape,
  /** Fan-out between instances (PUBLISH/SUBSCRIBE, sharded in cluster mode). */
  ...redisRoleEnvShapes.pubsub,
  /** The message stream (XADD) and the idempotency keys. */
  ...redisRoleEnvShapes.streams,
  /** The room membership sets the API maintains (read only here). */
  ...redisRoleEnvShapes.cache,
  ...redisKeyPrefixEnvShape,
  /** Browser origins allowed to open a connection (`Origin` on the upgrade); no `Origin` is always allowed. */
  ...allowedOriginsEnvShape,
  /** WebSocket listener. */
  GATEWAY_PORT: envPort.default(8080),
  /** `/healthz`, `/readyz`, `/metrics`; apart from the WebSocket port so probes never queue behind upgrades. */
  GATEWAY_HTTP_PORT: envPort.default(9090),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  /** Event-loop processes in the pod (node cluster). Default: one per available core. */
  GATEWAY_WORKERS: envPositiveInt.default(availableParallelism()),
  /**
   * How the pod's workers get connections. `os`: every worker accepts on the shared socket, as the
   * kernel wakes it. `round-robin`: the primary accepts each connection and hands it to a worker
   * over IPC, which took about twice the CPU per upgrade and passes every connection through
   * one process, for a spread that was no more even when measured (gateway README).
   */
  GATEWAY_CLUSTER_SCHEDULING: z.enum(['os', 'round-robin']).default('os'),
  /**
   * V8 young-generation semi-space cap for the workers (MB). V8 grows it to 16 MB under a burst
   * of upgrades and keeps it; a gateway holding connections spends memory better on them.
   */
  GATEWAY_SEMI_SPACE_MB: envPositiveInt.default(2),
  /**
   * WebSocket ping interval (ms). Far below the NLB's fixed 350 s idle timeout, so idle clients
   * are not cut, and short enough that dead peers are found within a minute or two.
   */
  GATEWAY_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Pings in a row a peer may leave unanswered before it is closed. */
  GATEWAY_HEARTBEAT_MISSED_LIMIT: envPositiveInt.max(100).default(2),
  /** An upgrade request whose headers are not complete within this (ms) is dropped. */
  GATEWAY_UPGRADE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** How long before its token expires a connection is told to re-authenticate (s). */
  GATEWAY_TOKEN_WARNING_SECONDS: envPositiveInt.default(60),
  /** Time from SIGTERM to the last close; keep below the pod's terminationGracePeriodSeconds. */
  GATEWAY_DRAIN_SECONDS: envPositiveInt.default(25),
  JWT_SECRET: jwtSecret,
  /** Secrets Manager secret whose string is JWT_SECRET (production). */
  JWT_SECRET_ARN: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default('co-talk'),
  /** Largest text frame answered with a protocol error rather than processed. */
  GATEWAY_MAX_FRAME_BYTES: envPositiveInt.default(16_384),
  /** Frames per second a connection may send (token bucket refill rate). */
  GATEWAY_RATE_PER_SECOND: envPositiveInt.default(20),
  /** Token bucket size: a short burst above the rate is fine. */
  GATEWAY_RATE_BURST: envPositiveInt.default(40),
  /**
   * Messages per second one user may send, over all their connections on every instance (checked
   * in the same Redis step that stores the message), and the burst above it.
   */
  GATEWAY_USER_MESSAGES_PER_SECOND: envPositiveInt.default(10),
  GATEWAY_USER_MESSAGES_BURST: envPositiveInt.default(30),
  /** The same for one source address (many users behind one NAT share it, hence higher). */
  GATEWAY_ADDRESS_MESSAGES_PER_SECOND: envPositiveInt.default(200),
  GATEWAY_ADDRESS_MESSAGES_BURST: envPositiveInt.default(400),
  /** Open connections one user may hold, over every instance. */
  GATEWAY_USER_CONNECTIONS_MAX: envPositiveInt.default(20),
  /** Open connections from one source address, over every instance. */
  GATEWAY_ADDRESS_CONNECTIONS_MAX: envPositiveInt.default(1000),
  /** Rejected frames in a row before the connection is closed with 1008. */
  GATEWAY_RATE_STRIKES: envPositiveInt.default(20),
  /**
   * Least time between two coalesced writes (ms). A quiet connection's frame still goes out on the
   * next turn; under load, frames collect this long, trading a few ms for far fewer system calls.
   */
  GATEWAY_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(100).default(10),
  /** Bytes queued in the socket beyond which a consumer is too slow and is closed with 1013. */
  GATEWAY_MAX_BUFFERED_BYTES: envPositiveInt.default(1_048_576),
  /** Rooms one connection may be in at once. */
  GATEWAY_MAX_ROOMS_PER_CONNECTION: envPositiveInt.default(100),
  /** How long a clientMsgId is remembered; a resend within this window is acknowledged, not repeated. */
  GATEWAY_IDEMPOTENCY_TTL_SECONDS: envPositiveInt.default(86_400),
  /** Approximate cap on the stream (XADD MAXLEN ~); far above what the worker lags by. */
  GATEWAY_STREAM_MAXLEN: envPositiveInt.default(10_000_000),
};

/** The validated environment. */
export type GatewayEnv = z.infer<z.ZodObject<typeof gatewayEnvShape>>;

/** Parses the environment; throws `EnvError` naming every bad variable. */
export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  return loadEnv(gatewayEnvShape, source);
}
