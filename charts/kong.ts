import { ApiObject, Chart, JsonPatch, Size, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { Profile } from '../lib/config';
import { redisUserOf, type ChatBackends } from './backends';
import { ChatWorkload } from './chat-workload';
import { contentHash, type Fingerprint } from './content-hash';
import { requirePinnedImage } from './image';
import { API_OPERATIONS, API_PATH_PREFIX, APP_PORTS, KONG_PATHS, type ApiOperation } from '../lib/contract';
import { cpuMillis, memoryMebibytes } from './quantity';
import { bindTargetGroup } from './target-group-binding';

/** Kong OSS, pinned to an exact release (its images are not built here, so no asset hash). */
export const KONG_IMAGE = 'kong:3.9.1';

/** The `kong` user of the official image, which owns its files. */
export const KONG_UID = 1000;

/**
 * The memory-backed directory Kong's start-up inputs pass through: the initContainer writes `env`
 * (`export KONG_REDIS_PASSWORD=...`), which Kong's container sources, and `kong.yml`, the
 * declarative config with the token consumer's public keys filled in, which Kong loads.
 */
export const KONG_CREDENTIALS_DIR = '/kong-credentials';

/** Where the ConfigMap's declarative config (the template of `kong.yml`) is mounted. */
export const KONG_CONFIG_TEMPLATE_DIR = '/kong/declarative';

/** The consumer every access token maps to; the initContainer gives it one ES256 credential per public key. */
export const KONG_TOKEN_CONSUMER = 'co-talk-users';

/**
 * Kong's admin API, on the pod's loopback only: the key refresh sidecar posts the declarative
 * config there. Nothing outside the pod can reach it.
 */
export const KONG_ADMIN_PORT = 8001;

/**
 * The key refresh sidecar's size: a Node.js process that wakes every few minutes. Fixed rather
 * than from the profile, since it does not grow with traffic; the namespace quota counts it.
 */
export const KONG_KEY_REFRESH_SIZE = { cpuMillis: 50, memoryMebibytes: 96 } as const;

/** Where the credentials command reads Kong's configuration template and writes its inputs. */
const KONG_CREDENTIALS_PATHS = [`${KONG_CONFIG_TEMPLATE_DIR}/kong.yml`, KONG_CREDENTIALS_DIR] as const;

/** The api image's command that writes Kong's start-up inputs (see `apps/api/src/kong-credentials.ts`). */
export const KONG_CREDENTIALS_ARGS = ['dist/kong-credentials.js', ...KONG_CREDENTIALS_PATHS] as const;

/** The same command in its loop mode: the sidecar that keeps Kong's token keys current (`kong-key-refresh.ts`). */
export const KONG_KEY_REFRESH_ARGS = ['dist/kong-credentials.js', '--refresh', ...KONG_CREDENTIALS_PATHS] as const;

/**
 * Kong's container command: the official image's entrypoint and command (`/docker-entrypoint.sh
 * kong docker-start`), run once the credentials are in the environment, where Kong's `env` vault
 * reads them (`{vault://env/kong-redis-password}` is `KONG_REDIS_PASSWORD`).
 */
export const KONG_COMMAND = [
  '/bin/sh',
  '-c',
  `. ${KONG_CREDENTIALS_DIR}/env && exec /docker-entrypoint.sh kong docker-start`,
] as const;

/** Props for {@link KongChart}. */
export interface KongChartProps extends ChartProps {
  /** The environment profile (pod size, HPA bounds, VPC range, rate and size limits). */
  readonly profile: Profile;
  /** Data stores (Redis for rate-limit counters) and the token issuer. */
  readonly backends: ChatBackends;
  /** ARN of the ALB target group (target type `ip`) the Kong pods register with. */
  readonly targetGroupArn: string;
  /** Namespace of the api Service Kong routes to (its DNS name is `api.<namespace>.svc`). */
  readonly apiNamespace: string;
  /**
   * The api image, pinned by digest or CDK asset hash: Kong's initContainer runs its
   * `kong-credentials` command, which reads the tokens' public keys and the pub/sub cluster's AUTH
   * token from Secrets Manager (Pod Identity, ServiceAccount `kong`) into a memory-backed volume.
   * Kong OSS reads vault references only from its environment, and its jwt credentials take no
   * references at all; this keeps the values out of manifests and lets the keys rotate.
   */
  readonly credentialsImage: string;
  /** Kong image, pinned by digest or exact version. @default KONG_IMAGE */
  readonly image?: string;
  /** Stable text of values that may hold tokens, for the configuration's checksum. @default plainFingerprint */
  readonly fingerprint?: Fingerprint;
}

/**
 * Kong in DB-less mode in front of the REST API: routes, JWT verification with the apps' issuer
 * and key, rate limiting with counters in Redis, request-size limits, Prometheus metrics on the
 * status listener. Bound to the ALB target group.
 */
export class KongChart extends Chart {
  /** The Kong workload. */
  public readonly workload: ChatWorkload;
  /** The declarative configuration, as mounted (the initContainer adds the token credentials). */
  public readonly declarativeConfig: string;
  /** The ConfigMap volume: Kong's container and the initContainer (which reads it as the template) mount it. */
  private readonly configVolume: kplus.Volume;

  constructor(scope: Construct, id: string, props: KongChartProps) {
    super(scope, id, props);
    const { app, workloads, network } = props.profile;
    const ports = APP_PORTS.kong;
    const configDir = KONG_CONFIG_TEMPLATE_DIR;

    this.declarativeConfig = stringify(kongConfig(props), { lineWidth: 0 });
    const config = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: 'kong-declarative' },
      data: { 'kong.yml': this.declarativeConfig },
    });
    this.configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', config);
    const checksum = contentHash(this.declarativeConfig, props.fingerprint);

    this.workload = new ChatWorkload(this, 'Kong', {
      name: 'kong',
      image: props.image ?? KONG_IMAGE,
      imagePinning: 'digest-or-exact-version',
      command: KONG_COMMAND,
      runAsUser: KONG_UID,
      size: workloads.kong,
      ports: [
        { name: 'proxy', port: ports.proxy },
        { name: 'status', port: ports.status },
      ],
      probes: { port: ports.status, liveness: KONG_PATHS.liveness, readiness: KONG_PATHS.readiness },
      env: {
        KONG_DATABASE: 'off',
        // The ConfigMap's config with the token credentials filled in by the initContainer.
        KONG_DECLARATIVE_CONFIG: `${KONG_CREDENTIALS_DIR}/kong.yml`,
        KONG_PREFIX: '/kong_prefix',
        KONG_PROXY_LISTEN: `0.0.0.0:${ports.proxy}`,
        KONG_STATUS_LISTEN: `0.0.0.0:${ports.status}`,
        // Loopback only: for the key refresh sidecar's `POST /config`.
        KONG_ADMIN_LISTEN: `127.0.0.1:${KONG_ADMIN_PORT}`,
        // Its egress policy would drop the reports anyway; off, Kong sends Redis no INFO either.
        KONG_ANONYMOUS_REPORTS: 'off',
        // nginx would start one worker per node CPU, not per CPU of the pod's limit.
        KONG_NGINX_WORKER_PROCESSES: String(Math.max(1, Math.floor(cpuMillis(workloads.kong.cpu) / 1000))),
        KONG_PROXY_ACCESS_LOG: '/dev/stdout',
        KONG_PROXY_ERROR_LOG: '/dev/stderr',
        // Only the ALB (inside the VPC) may tell Kong the client address, for per-IP rate limits.
        KONG_TRUSTED_IPS: network.vpcCidr,
        KONG_REAL_IP_HEADER: 'X-Forwarded-For',
      },
      writablePaths: ['/tmp', '/kong_prefix'],
      configVolumes: [{ path: configDir, volume: this.configVolume }],
      podAnnotations: { 'co-talk/declarative-config-sha256': checksum },
      // Untainted system nodes, as the cluster plans (the api nodes are the api's alone).
      nodeRole: 'system',
      preStopSleepSeconds: app.deregistrationDelaySeconds,
      // Wait out the deregistration, then as long again for requests in flight.
      terminationGracePeriodSeconds: 2 * app.deregistrationDelaySeconds,
    });

    const credentials = this.addCredentialsInit(props);
    this.addKeyRefresh(props, credentials);

    bindTargetGroup(this, 'AlbBinding', { targetGroupArn: props.targetGroupArn, service: 'kong', port: ports.proxy });
  }

  /**
   * The initContainer that fetches the credentials, hardened like every container here, and the
   * memory-backed volume (never on the node's disk) it shares with Kong's container.
   */
  private addCredentialsInit(props: KongChartProps): kplus.Volume {
    const { deployment } = this.workload;
    const size = props.profile.workloads.kong;
    // As large as Kong's container: the pod's requests stay what they are (init and main do not add up).
    const cpu = cpuMillis(size.cpu);
    const memory = memoryMebibytes(size.memory);
    const volume = kplus.Volume.fromEmptyDir(this, 'CredentialsVolume', 'credentials', {
      medium: kplus.EmptyDirMedium.MEMORY,
      sizeLimit: Size.mebibytes(1),
    });
    const init = deployment.addInitContainer(
      credentialsCommandContainer(
        props,
        'credentials',
        KONG_CREDENTIALS_ARGS,
        { cpuMillis: cpu, memoryMebibytes: memory },
        {
          REDIS_PUBSUB_SECRET_ARN: kplus.EnvValue.fromValue(kongRedisUser(props).secretArn),
        },
      ),
    );
    init.mount(KONG_CREDENTIALS_DIR, volume);
    init.mount(KONG_CONFIG_TEMPLATE_DIR, this.configVolume, { readOnly: true });
    deployment.containers[0].mount(KONG_CREDENTIALS_DIR, volume, { readOnly: true });
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/initContainers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
    return volume;
  }

  /**
   * The sidecar that reads the token public keys every `app.kongKeysRefreshSeconds` and posts the
   * config to Kong's admin API on loopback when they changed: a key the rotation publishes is
   * verified without restarting Kong (`apps/api/src/kong-key-refresh.ts`). Same image, role and
   * hardening as the initContainer; it sees the public key set, not the Redis password.
   */
  private addKeyRefresh(props: KongChartProps, credentials: kplus.Volume): void {
    const { deployment } = this.workload;
    const sidecar = deployment.addContainer(
      credentialsCommandContainer(props, 'key-refresh', KONG_KEY_REFRESH_ARGS, KONG_KEY_REFRESH_SIZE, {
        KONG_ADMIN_URL: kplus.EnvValue.fromValue(`http://127.0.0.1:${KONG_ADMIN_PORT}`),
        KONG_KEYS_REFRESH_SECONDS: kplus.EnvValue.fromValue(String(props.profile.app.kongKeysRefreshSeconds)),
      }),
    );
    // The initContainer's `kong.yml` is what Kong started from: no post until the keys differ.
    sidecar.mount(KONG_CREDENTIALS_DIR, credentials, { readOnly: true });
    // Every container gets a writable /tmp; nothing else of its filesystem is writable.
    sidecar.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'KeyRefreshTmp', 'key-refresh-tmp'));
    sidecar.mount(KONG_CONFIG_TEMPLATE_DIR, this.configVolume, { readOnly: true });
    const index = deployment.containers.indexOf(sidecar);
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add(`/spec/template/spec/containers/${index}/securityContext/capabilities`, { drop: ['ALL'] }),
    );
  }
}

/**
 * A container of the api image running its credentials command in Kong's pod (the initContainer,
 * the key-refresh sidecar): the token public keys' secret and the region, fixed CPU and memory,
 * non-root, read-only, no privilege.
 */
function credentialsCommandContainer(
  props: KongChartProps,
  name: string,
  args: readonly string[],
  size: { readonly cpuMillis: number; readonly memoryMebibytes: number },
  env: Record<string, kplus.EnvValue>,
): kplus.ContainerProps {
  const cpu = kplus.Cpu.millis(size.cpuMillis);
  const memory = Size.mebibytes(size.memoryMebibytes);
  return {
    name,
    image: requirePinnedImage('kong credentials image', props.credentialsImage, 'digest-or-asset-hash'),
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: [...args],
    envVariables: {
      AWS_REGION: kplus.EnvValue.fromValue(props.backends.region),
      JWT_PUBLIC_KEYS_SECRET_ARN: kplus.EnvValue.fromValue(props.backends.jwt.publicKeysSecretArn),
      ...env,
    },
    resources: { cpu: { request: cpu, limit: cpu }, memory: { request: memory, limit: memory } },
    securityContext: {
      ensureNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
    },
  };
}

/** Kong's declarative configuration (format 3.0). Secrets appear only as `{vault://env/...}` references. */
function kongConfig(props: KongChartProps) {
  const { app } = props.profile;
  return {
    _format_version: '3.0',
    services: [
      {
        name: 'api',
        url: `http://api.${props.apiNamespace}.svc.cluster.local:${APP_PORTS.api.http}`,
        routes: kongRoutes(props, API_OPERATIONS),
        plugins: [
          rateLimiting(props, app.apiRateLimitPerMinute),
          {
            name: 'request-size-limiting',
            config: { allowed_payload_size: app.apiMaxRequestBodyKiB, size_unit: 'kilobytes' },
          },
        ],
      },
    ],
    consumers: [jwtConsumer()],
    plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true } }],
  };
}

/**
 * Kong's routes, derived from the API's route table (`lib/contract/api-routes.ts`): each public
 * operation by its method and exact path, without `jwt` and with the stricter rate limit; every
 * other path under `/v1/` behind `jwt`. Nothing else is routed, so `/metrics`, `/openapi.json`
 * and the probes stay inside the cluster.
 *
 * Kong 3.x ranks a route with `methods` above one with `paths` only, and tries regex paths (`~`,
 * anchored at the start of the normalized path) before prefix paths
 * (https://developer.konghq.com/gateway/routing/traditional/), so `POST /v1/auth/sign-in`
 * takes its public route while `GET /v1/auth/sign-in` and `/v1/auth/sign-in/x` stay protected.
 */
export function kongRoutes(props: KongChartProps, operations: readonly ApiOperation[]) {
  const common = { strip_path: false, protocols: ['http', 'https'] };
  const publicRoutes = operations
    .filter((op) => op.public)
    .map((op) => ({
      name: `public-${op.method.toLowerCase()}${op.path.replace(/[{}]/g, '').replace(/\//g, '-')}`,
      methods: [op.method],
      paths: [`~${exactPathRegex(op.path)}`],
      ...common,
      plugins: [rateLimiting(props, props.profile.app.apiPublicRateLimitPerMinute)],
    }));
  return [...publicRoutes, { name: 'api', paths: [API_PATH_PREFIX], ...common, plugins: [jwtPlugin(props)] }];
}

/** `/v1/rooms/{roomId}` → `/v1/rooms/[^/]+$`: one segment per parameter, nothing after. */
function exactPathRegex(path: string): string {
  return (
    path
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('') + '$'
  );
}

/**
 * The jwt plugin: tokens only from the `Authorization` header (a token in the query string would
 * land in access logs), `exp` checked and no longer than the api issues them for. `OPTIONS`
 * passes through, since the API answers CORS preflights (which carry no token).
 */
function jwtPlugin(props: KongChartProps) {
  return {
    name: 'jwt',
    config: {
      // The plugin reads `kid` from the claims, then the header
      // (https://github.com/Kong/kong/blob/master/kong/plugins/jwt/handler.lua); the api's tokens
      // carry it in the header only, and the apps refuse a `kid` claim.
      key_claim_name: 'kid',
      claims_to_verify: ['exp'],
      maximum_expiration: props.profile.app.accessTokenTtlSeconds,
      uri_param_names: [],
      cookie_names: [],
      header_names: ['authorization'],
      secret_is_base64: false,
      run_on_preflight: false,
    },
  };
}

/**
 * One consumer stands for every user: the token's `kid` picks its public key, as in the apps. The
 * initContainer fills in one ES256 credential per key of the current public key set.
 */
function jwtConsumer() {
  return { username: KONG_TOKEN_CONSUMER, jwt_secrets: [] };
}

/** Kong's own user on the pub/sub cluster: its password is all the initContainer fetches for Redis. */
function kongRedisUser(props: KongChartProps) {
  return redisUserOf(props.backends.redis.pubsub, 'kong', 'pubsub');
}

/** Per-client-IP rate limiting with the counters in Redis, so every Kong pod counts together. */
function rateLimiting(props: KongChartProps, perMinute: number) {
  return {
    name: 'rate-limiting',
    config: {
      minute: perMinute,
      limit_by: 'ip',
      policy: 'redis',
      // Kong OSS speaks to one Redis node, not the cluster protocol: the sharded cache cluster is
      // out, and the pub/sub cluster (one primary, no keys of its own, nothing snapshotted) holds
      // the counters rather than the streams cluster the gateway's message store runs on. Kong
      // signs in as its own user, which may touch `ratelimit:*` keys with the plugin's commands
      // and no channel (`lib/contract/redis-acl.ts`).
      redis: {
        host: props.backends.redis.pubsub.host,
        port: props.backends.redis.pubsub.port,
        ssl: true,
        ssl_verify: true,
        username: kongRedisUser(props).userName,
        password: '{vault://env/kong-redis-password}',
      },
      fault_tolerant: true,
      hide_client_headers: false,
    },
  };
}
