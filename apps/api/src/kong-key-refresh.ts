import { z } from 'zod';
import { EnvError, envPositiveInt } from '@co-talk/common/env';
import { runEvery } from '@co-talk/common/periodic';
import { fetchSecretString } from '@co-talk/common/secrets';
import { KONG_PUBLIC_KEYS_VARIABLE, withTokenKeys } from './kong-credentials';

/**
 * Kong's token keys, kept current without a restart: a sidecar in Kong's pod (the same command as
 * the initContainer, in its refresh mode) reads the public key set again every interval, renders
 * the declarative config with it, and when that differs from what Kong runs, posts it to Kong's
 * admin API on the pod's loopback (DB-less `POST /config`). Kong swaps the whole configuration
 * atomically; requests in flight finish on the old one.
 *
 * The rotation publishes a key a whole rotation period (90 days) before the api signs with it
 * (`lib/data/token-keys-rotation`), so a refresh every few minutes has Kong verifying with a key
 * long before the first token signed with it arrives.
 */

/** What the refresh mode reads from its environment. */
export const kongKeyRefreshEnvShape = {
  AWS_REGION: z.string().min(1).optional(),
  [KONG_PUBLIC_KEYS_VARIABLE.arn]: z.string().min(1),
  /** Kong's admin API, listening on the pod's loopback only. */
  KONG_ADMIN_URL: z.url({ protocol: /^http$/, error: 'expected http://127.0.0.1:<port>' }),
  /** Seconds between two reads of the public key set. */
  KONG_KEYS_REFRESH_SECONDS: envPositiveInt,
} as const;

/** The refresh mode's settings. */
export interface KongKeyRefreshSettings {
  readonly publicKeysArn: string;
  readonly region?: string;
  readonly adminUrl: string;
  readonly intervalMs: number;
}

/** Parses the refresh mode's environment; throws {@link EnvError} naming every bad variable. */
export function kongKeyRefreshSettings(source: NodeJS.ProcessEnv): KongKeyRefreshSettings {
  const parsed = z.object(kongKeyRefreshEnvShape).safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  return {
    publicKeysArn: env[KONG_PUBLIC_KEYS_VARIABLE.arn],
    region: env.AWS_REGION,
    adminUrl: env.KONG_ADMIN_URL.replace(/\/$/, ''),
    intervalMs: env.KONG_KEYS_REFRESH_SECONDS * 1000,
  };
}

/** Options of {@link KongKeyRefresh}. */
export interface KongKeyRefreshOptions {
  /** The ConfigMap's declarative config, the template every rendering starts from. */
  readonly templateYaml: string;
  /** The config Kong started from (the initContainer's `kong.yml`): nothing is posted while it holds. */
  readonly startedWith: string;
  /** Kong's admin API base URL. */
  readonly adminUrl: string;
  /** Reads the public key set (`{"keys":[{"kid","publicKey"}]}`). */
  readonly readPublicKeys: () => Promise<string>;
}

/** What one round did. */
export type RefreshOutcome = 'unchanged' | 'applied';

/** Renders Kong's config from the current public keys and posts it when it changed. */
export class KongKeyRefresh {
  private running: string;

  constructor(private readonly options: KongKeyRefreshOptions) {
    this.running = options.startedWith;
  }

  /**
   * One round. Throws when the keys cannot be read or rendered, or Kong refuses the config; the
   * config Kong runs is then unchanged, and the next round tries again.
   */
  async refresh(): Promise<RefreshOutcome> {
    const config = withTokenKeys(this.options.templateYaml, await this.options.readPublicKeys());
    if (config === this.running) return 'unchanged';
    // `check_hash`: Kong answers 304 without reloading when it runs this config already.
    const response = await fetch(`${this.options.adminUrl}/config?check_hash=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 201 && response.status !== 304) {
      const detail = (await response.text()).slice(0, 500);
      throw new Error(`Kong refused the declarative config: HTTP ${response.status} ${detail}`);
    }
    this.running = config;
    return 'applied';
  }
}

/** Options of {@link refreshKongKeysEvery}. */
export interface RefreshLoopOptions {
  readonly refresh: KongKeyRefresh;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

/** Runs a round every `intervalMs` (never two at once) and logs what changed or failed. Returns a stop function. */
export function refreshKongKeysEvery(options: RefreshLoopOptions): () => void {
  const round = () =>
    options.refresh
      .refresh()
      .then((outcome) => {
        if (outcome === 'applied') options.log('kong-credentials: posted the declarative config with new token keys');
      })
      // The message names the secret's variable or Kong's answer, never a key.
      .catch((err: unknown) => options.log(`kong-credentials: refresh failed: ${(err as Error).message}`));
  // The sidecar has no other work: the loop is what keeps it running.
  return runEvery(options.intervalMs, round, { keepAlive: true });
}

/** The refresh mode's reader of the public key set, from Secrets Manager. */
export function publicKeysReader(settings: KongKeyRefreshSettings): () => Promise<string> {
  return () => fetchSecretString(KONG_PUBLIC_KEYS_VARIABLE.arn, settings.publicKeysArn, settings.region);
}
