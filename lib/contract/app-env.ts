import type { apiEnvShape } from '../../apps/api/src/config';
import type { gatewayEnvShape } from '../../apps/gateway/src/config';
import type { workerEnvShape } from '../../apps/worker/src/config';

/**
 * The environment variables each app reads, taken from the app's own schema (type-only: the
 * images are built from `apps/` alone and cannot import this module, so the names are written
 * once, in the app). The charts type each container's environment with them, so a variable an
 * app renames fails `tsc` in the chart that sets it; `apps/test/chart-env.test.ts` checks the
 * rendered values against the apps' loaders.
 */
export type GatewayEnvName = keyof typeof gatewayEnvShape;
/** See {@link GatewayEnvName}. */
export type ApiEnvName = keyof typeof apiEnvShape;
/** See {@link GatewayEnvName}. */
export type WorkerEnvName = keyof typeof workerEnvShape;

/** A container's environment for an app whose variables are `Name`. */
export type AppEnv<Name extends string> = Partial<Record<Name, string>>;

/**
 * A container's environment, checked at compile time against the variables its app reads:
 * `appEnv<GatewayEnvName>({ GATEWAY_PORT: '8080' })`. Unset entries are dropped.
 */
export function appEnv<Name extends string>(env: AppEnv<Name>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env as Record<string, string | undefined>).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}
