import { z } from 'zod';

/**
 * Configuration comes from environment variables, validated once at start-up. A missing or
 * malformed variable stops the process with a message naming it, instead of failing later in
 * the middle of a request.
 */

/** One or more environment variables are missing or malformed. */
export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvError';
  }
}

/** Parses `source` against `shape`; throws {@link EnvError} naming every bad variable. */
export function loadEnv<T extends z.ZodRawShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  // Empty strings count as unset, the way most deployment tools render an absent value.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = z.object(shape).safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const given = present[name];
    const reason = given === undefined && issue.code === 'invalid_type' ? 'is required but not set' : issue.message;
    return `${name}: ${reason}`;
  });
  throw new EnvError(problems);
}

/** {@link loadEnv} for a process entry point: prints the problems and exits with status 1. */
export function loadEnvOrExit<T extends z.ZodRawShape>(
  shape: T,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  try {
    return loadEnv(shape, source);
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * {@link loadEnv} after resolving every `*_SECRET_ARN` with `resolve` (`resolveSecretEnv`, or a
 * stand-in in tests); throws {@link EnvError} naming every bad variable or unreadable secret.
 */
export async function loadSecretEnv<T extends z.ZodRawShape>(
  shape: T,
  resolve: (source: NodeJS.ProcessEnv) => Promise<NodeJS.ProcessEnv>,
  source: NodeJS.ProcessEnv = process.env,
): Promise<z.infer<z.ZodObject<T>>> {
  return loadEnv(shape, await resolve(source));
}

/** {@link loadSecretEnv} for a process entry point: prints the problems and exits with status 1. */
export async function loadSecretEnvOrExit<T extends z.ZodRawShape>(
  shape: T,
  resolve: (source: NodeJS.ProcessEnv) => Promise<NodeJS.ProcessEnv>,
  source: NodeJS.ProcessEnv = process.env,
): Promise<z.infer<z.ZodObject<T>>> {
  try {
    return await loadSecretEnv(shape, resolve, source);
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** `true`/`false` as an environment value; anything else is rejected rather than guessed. */
export const envBoolean = z
  .enum(['true', 'false'], { message: 'expected "true" or "false"' })
  .transform((value) => value === 'true');

/** A TCP port number; 0 lets the system pick a free one (tests). */
export const envPort = z.coerce.number().int().min(0).max(65535);

/** A positive integer (counts, sizes, milliseconds, seconds). */
export const envPositiveInt = z.coerce.number().int().positive();

/** The logging settings every app reads. */
export const logEnvShape = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * A prefix put in front of every Redis key an app owns (stream, cache entries). Empty in
 * production; tests give each run its own so runs never see each other's keys.
 */
export const redisKeyPrefixEnvShape = {
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]*$/, 'may hold only letters, digits and _ : . -')
    .default(''),
};
