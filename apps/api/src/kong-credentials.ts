import { chmod, rename, writeFile } from 'node:fs/promises';
import { EnvError } from '@co-talk/common/env';
import { resolveSecretEnv } from '@co-talk/common/secrets';

/**
 * Kong's two credentials, fetched from Secrets Manager for Kong's pods: run as an initContainer of
 * the api image (Pod Identity as Kong's ServiceAccount), it writes a shell file that Kong's
 * container sources before its entrypoint, from a memory-backed volume. Kong OSS reads vault
 * references only from its environment, and this keeps the values out of every manifest.
 */

/** The variables the file exports, each filled from the secret named by the `*_SECRET_ARN` variable. */
export const KONG_CREDENTIAL_VARIABLES = [
  { arn: 'JWT_SECRET_ARN', plain: 'JWT_SECRET', exported: 'KONG_JWT_SECRET' },
  { arn: 'REDIS_PUBSUB_SECRET_ARN', plain: 'REDIS_PUBSUB_PASSWORD', exported: 'KONG_REDIS_PASSWORD' },
] as const;

/** `value` as one POSIX shell word: single quotes, each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The env file's text: one `export NAME='value'` line per credential. */
export async function kongCredentialsFile(source: NodeJS.ProcessEnv): Promise<string> {
  const missing = KONG_CREDENTIAL_VARIABLES.filter(({ arn }) => !source[arn]).map(
    ({ arn }) => `${arn}: is required but not set`,
  );
  if (missing.length > 0) throw new EnvError(missing);
  // Only the ARNs and the region: a plain value in the environment must not stand in for a secret.
  const resolved = await resolveSecretEnv({
    AWS_REGION: source.AWS_REGION,
    ...Object.fromEntries(KONG_CREDENTIAL_VARIABLES.map(({ arn }) => [arn, source[arn]])),
  });
  return KONG_CREDENTIAL_VARIABLES.map(
    ({ plain, exported }) => `export ${exported}=${shellQuote(resolved[plain]!)}\n`,
  ).join('');
}

/** Writes the env file at `path`, readable by its owner only, replacing any earlier one whole. */
export async function writeKongCredentials(path: string, source: NodeJS.ProcessEnv = process.env): Promise<void> {
  const text = await kongCredentialsFile(source);
  const partial = `${path}.partial`;
  await writeFile(partial, text, { mode: 0o600 });
  // The mode given to writeFile is masked by the umask; this one is not.
  await chmod(partial, 0o600);
  await rename(partial, path);
}

/** Where the file goes: the first argument, else `KONG_CREDENTIALS_FILE`. */
export function outputPath(argv: readonly string[], source: NodeJS.ProcessEnv): string {
  const path = argv[0] ?? source.KONG_CREDENTIALS_FILE;
  if (!path) throw new EnvError(['KONG_CREDENTIALS_FILE: is required but not set (or give the path as the argument)']);
  return path;
}

if (require.main === module) {
  const path = (() => {
    try {
      return outputPath(process.argv.slice(2), process.env);
    } catch (err) {
      process.stderr.write(`kong-credentials: ${(err as Error).message}\n`);
      process.exit(2);
    }
  })();
  writeKongCredentials(path).then(
    () => process.stdout.write(`kong-credentials: wrote ${KONG_CREDENTIAL_VARIABLES.length} credentials\n`),
    (err: unknown) => {
      // EnvError messages name variables and AWS errors, never a value.
      process.stderr.write(`kong-credentials: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
