import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvError } from '@co-talk/common/env';
import { TokenVerificationKeys } from '@co-talk/common/jwt';
import { resolveSecretEnv } from '@co-talk/common/secrets';
import { parse, stringify } from 'yaml';

/**
 * Kong's start-up inputs, fetched from Secrets Manager for Kong's pods: run as an initContainer of
 * the api image (Pod Identity as Kong's ServiceAccount), it writes into a memory-backed volume
 *
 * - `env`: a shell file Kong's container sources before its entrypoint (the Redis password, which
 *   the declarative config names as `{vault://env/kong-redis-password}`: Kong OSS reads vault
 *   references only from its environment);
 * - `kong.yml`: the declarative config from the ConfigMap with the token consumer's credentials
 *   filled in: one ES256 credential per public key, `key` = the key's `kid`. Kong's `jwt_secrets`
 *   fields are not vault-referenceable, and the public keys rotate outside any manifest.
 *
 * Public keys are not secret; the private keys never reach Kong (its role cannot read them).
 */

/** The consumer every access token maps to (the chart's declarative config names it). */
export const KONG_TOKEN_CONSUMER = 'co-talk-users';

/** The variables the env file exports, each filled from the secret named by the `*_SECRET_ARN` variable. */
export const KONG_CREDENTIAL_VARIABLES = [
  { arn: 'REDIS_PUBSUB_SECRET_ARN', plain: 'REDIS_PUBSUB_PASSWORD', exported: 'KONG_REDIS_PASSWORD' },
] as const;

/** The secret holding the public key set (`{"keys":[{"kid","publicKey"}]}`). */
export const KONG_PUBLIC_KEYS_VARIABLE = { arn: 'JWT_PUBLIC_KEYS_SECRET_ARN', plain: 'JWT_PUBLIC_KEYS' } as const;
const PUBLIC_KEYS = KONG_PUBLIC_KEYS_VARIABLE;

/** `value` as one POSIX shell word: single quotes, each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** What the initContainer writes. */
export interface KongStartupFiles {
  /** The env file's text: one `export NAME='value'` line per credential. */
  readonly env: string;
  /** The declarative config with the token credentials in place. */
  readonly config: string;
}

interface DeclarativeConfig {
  consumers?: { username?: string; jwt_secrets?: unknown[] }[];
}

/**
 * The token consumer's credentials: `key` is the `kid` Kong's jwt plugin reads (its
 * `key_claim_name` is `kid`), `rsa_public_key` the PEM it verifies ES256 with.
 */
export function withTokenKeys(templateYaml: string, publicKeysJson: string): string {
  const keys = TokenVerificationKeys.parse(publicKeysJson);
  const pems = (JSON.parse(publicKeysJson) as { keys: { kid: string; publicKey: string }[] }).keys;
  const config = parse(templateYaml) as DeclarativeConfig;
  const consumer = config.consumers?.find((c) => c.username === KONG_TOKEN_CONSUMER);
  if (consumer === undefined) throw new Error(`the declarative config has no consumer "${KONG_TOKEN_CONSUMER}"`);
  consumer.jwt_secrets = keys.kids.map((kid) => ({
    key: kid,
    algorithm: 'ES256',
    rsa_public_key: pems.find((k) => k.kid === kid)!.publicKey,
  }));
  return stringify(config, { lineWidth: 0 });
}

/** Reads the secrets and renders both files; nothing is written. */
export async function kongStartupFiles(templateYaml: string, source: NodeJS.ProcessEnv): Promise<KongStartupFiles> {
  const arns = [PUBLIC_KEYS.arn, ...KONG_CREDENTIAL_VARIABLES.map(({ arn }) => arn)];
  const missing = arns.filter((arn) => !source[arn]).map((arn) => `${arn}: is required but not set`);
  if (missing.length > 0) throw new EnvError(missing);
  // Only the ARNs and the region: a plain value in the environment must not stand in for a secret.
  const resolved = await resolveSecretEnv({
    AWS_REGION: source.AWS_REGION,
    ...Object.fromEntries(arns.map((arn) => [arn, source[arn]])),
  });
  let config: string;
  try {
    config = withTokenKeys(templateYaml, resolved[PUBLIC_KEYS.plain]!);
  } catch (err) {
    throw new EnvError([`${PUBLIC_KEYS.arn}: ${(err as Error).message}`]);
  }
  const env = KONG_CREDENTIAL_VARIABLES.map(
    ({ plain, exported }) => `export ${exported}=${shellQuote(resolved[plain]!)}\n`,
  ).join('');
  return { env, config };
}

/** Writes `text` at `path`, readable by its owner only, replacing any earlier file whole. */
async function writePrivate(path: string, text: string): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, text, { mode: 0o600 });
  // The mode given to writeFile is masked by the umask; this one is not.
  await chmod(partial, 0o600);
  await rename(partial, path);
}

/** Reads the template, renders both files and writes `env` and `kong.yml` into `outputDir`. */
export async function writeKongStartupFiles(
  templatePath: string,
  outputDir: string,
  source: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const files = await kongStartupFiles(await readFile(templatePath, 'utf8'), source);
  await writePrivate(join(outputDir, 'env'), files.env);
  await writePrivate(join(outputDir, 'kong.yml'), files.config);
}

/** The template and the output directory: the two arguments, else `KONG_CONFIG_TEMPLATE` and `KONG_CREDENTIALS_DIR`. */
export function startupPaths(
  argv: readonly string[],
  source: NodeJS.ProcessEnv,
): { template: string; outputDir: string } {
  const template = argv[0] ?? source.KONG_CONFIG_TEMPLATE;
  const outputDir = argv[1] ?? source.KONG_CREDENTIALS_DIR;
  const missing = [
    ...(template ? [] : ['KONG_CONFIG_TEMPLATE: is required but not set (or give it as the first argument)']),
    ...(outputDir ? [] : ['KONG_CREDENTIALS_DIR: is required but not set (or give it as the second argument)']),
  ];
  if (missing.length > 0) throw new EnvError(missing);
  return { template: template!, outputDir: outputDir! };
}

/** `--refresh <template> <dir>`: the sidecar's loop; otherwise the initContainer's one-off write. */
async function main(argv: readonly string[]): Promise<void> {
  const refresh = argv[0] === '--refresh';
  const fail = (code: number) => (err: unknown) => {
    // EnvError messages name variables and AWS errors, never a value.
    process.stderr.write(`kong-credentials: ${(err as Error).message}\n`);
    process.exit(code);
  };
  let paths: { template: string; outputDir: string };
  try {
    paths = startupPaths(refresh ? argv.slice(1) : argv, process.env);
  } catch (err) {
    return fail(2)(err);
  }
  if (!refresh) {
    await writeKongStartupFiles(paths.template, paths.outputDir).catch(fail(1));
    process.stdout.write(`kong-credentials: wrote the env file and the declarative config\n`);
    return;
  }
  // Loaded here: the refresh module imports this one.
  const { KongKeyRefresh, kongKeyRefreshSettings, publicKeysReader, refreshKongKeysEvery } =
    await import('./kong-key-refresh');
  try {
    const settings = kongKeyRefreshSettings(process.env);
    const refresher = new KongKeyRefresh({
      templateYaml: await readFile(paths.template, 'utf8'),
      startedWith: await readFile(join(paths.outputDir, 'kong.yml'), 'utf8'),
      adminUrl: settings.adminUrl,
      readPublicKeys: publicKeysReader(settings),
    });
    refreshKongKeysEvery({
      refresh: refresher,
      intervalMs: settings.intervalMs,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`kong-credentials: refreshing the token keys every ${settings.intervalMs / 1000} s\n`);
    // Kong's container stops on SIGTERM; this one has nothing to finish.
    process.once('SIGTERM', () => process.exit(0));
  } catch (err) {
    fail(2)(err);
  }
}

if (require.main === module) void main(process.argv.slice(2));
