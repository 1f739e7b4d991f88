import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EnvError } from './env';
import { runEvery } from './periodic';

/**
 * Secrets from AWS Secrets Manager, fetched at start-up with the default credential chain (EKS Pod
 * Identity in the cluster). Each `*_SECRET_ARN` variable fills in the plain variables it stands
 * for, before the environment is validated, so the rest of an app reads one set of names whether
 * the values came from Secrets Manager (production) or from the environment (local runs, tests).
 * Setting both an ARN and a value it stands for is an error: nobody should have to guess which wins.
 * Secret values are never logged or put in an error message.
 */

/** One `*_SECRET_ARN` variable and the plain variables its secret fills in. */
export interface SecretVariable {
  /** The variable holding the secret's ARN. */
  readonly arn: string;
  /**
   * `plain`: the secret string is the value of `target`. `json`: the secret is a JSON object whose
   * fields fill in the variables named in `fields` (field → variable).
   */
  readonly kind: 'plain' | 'json';
  readonly target?: string;
  readonly fields?: Readonly<Record<string, string>>;
}

/** Every secret an app may take from Secrets Manager, and what it stands for. */
export const SECRET_VARIABLES: readonly SecretVariable[] = [
  // Access token keys: the JSON key sets themselves (see jwt.ts). The private set is the API's alone.
  { arn: 'JWT_SIGNING_KEYS_SECRET_ARN', kind: 'plain', target: 'JWT_SIGNING_KEYS' },
  { arn: 'JWT_PUBLIC_KEYS_SECRET_ARN', kind: 'plain', target: 'JWT_PUBLIC_KEYS' },
  // The RDS-managed secret: {"username","password","engine","host",...}; only the credentials are used.
  { arn: 'DATABASE_SECRET_ARN', kind: 'json', fields: { username: 'DATABASE_USER', password: 'DATABASE_PASSWORD' } },
  { arn: 'REDIS_CACHE_SECRET_ARN', kind: 'plain', target: 'REDIS_CACHE_PASSWORD' },
  { arn: 'REDIS_PUBSUB_SECRET_ARN', kind: 'plain', target: 'REDIS_PUBSUB_PASSWORD' },
  { arn: 'REDIS_STREAMS_SECRET_ARN', kind: 'plain', target: 'REDIS_STREAMS_PASSWORD' },
];

const ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[\w/+=.@-]+$/;

let sharedClient: SecretsManagerClient | null = null;

/** One client per process; the region comes from AWS_REGION, else from the ARN. */
function client(region: string | undefined): SecretsManagerClient {
  sharedClient ??= new SecretsManagerClient(region ? { region } : {});
  return sharedClient;
}

/** Fetches a secret's string value. Errors name the variable and the AWS error, never a value. */
export async function fetchSecretString(variable: string, arn: string, region?: string): Promise<string> {
  const match = ARN_PATTERN.exec(arn);
  if (match === null) throw new EnvError([`${variable}: expected a Secrets Manager secret ARN`]);
  let value: string | undefined;
  try {
    ({ SecretString: value } = await client(region ?? match[1]).send(new GetSecretValueCommand({ SecretId: arn })));
  } catch (err) {
    throw new EnvError([`${variable}: could not read the secret (${(err as Error).name}: ${(err as Error).message})`]);
  }
  if (value === undefined || value === '') throw new EnvError([`${variable}: the secret has no string value`]);
  return value;
}

function fieldsOf(variable: SecretVariable, secret: string): Record<string, string> {
  if (variable.kind === 'plain') return { [variable.target!]: secret };
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new EnvError([`${variable.arn}: the secret is not JSON; expected {"username","password"}`]);
  }
  const out: Record<string, string> = {};
  for (const [field, target] of Object.entries(variable.fields!)) {
    const value = (parsed as Record<string, unknown> | null)?.[field];
    if (typeof value !== 'string' || value === '') {
      throw new EnvError([`${variable.arn}: the secret has no string field "${field}"`]);
    }
    out[target] = value;
  }
  return out;
}

/**
 * Returns a copy of `source` with every `*_SECRET_ARN` present resolved into the variables it
 * stands for. Throws {@link EnvError} naming every conflict (an ARN and its plain value both set)
 * and every secret that could not be read.
 */
export async function resolveSecretEnv(source: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const isSet = (name: string): boolean => source[name] !== undefined && source[name] !== '';
  const wanted = SECRET_VARIABLES.filter((variable) => isSet(variable.arn));
  const conflicts = wanted.flatMap((variable) =>
    (variable.kind === 'plain' ? [variable.target!] : Object.values(variable.fields!))
      .filter(isSet)
      .map((plain) => `${variable.arn} and ${plain}: set one, not both (the secret provides ${plain})`),
  );
  if (conflicts.length > 0) throw new EnvError(conflicts);
  const settled = await Promise.allSettled(
    wanted.map(async (variable) =>
      fieldsOf(variable, await fetchSecretString(variable.arn, source[variable.arn]!, source.AWS_REGION)),
    ),
  );
  const problems = settled.flatMap((result) =>
    result.status === 'rejected'
      ? result.reason instanceof EnvError
        ? result.reason.problems
        : [String(result.reason)]
      : [],
  );
  if (problems.length > 0) throw new EnvError(problems);
  return Object.assign(
    { ...source },
    ...settled.map((result) => (result.status === 'fulfilled' ? result.value : {})),
  ) as NodeJS.ProcessEnv;
}

/**
 * A secret's JSON field, cached, fetched again after {@link invalidate}: for a password that
 * RDS rotates, a connection refused for a bad password makes the next one use the current value.
 */
export class RotatingSecretField {
  private value: Promise<string> | null = null;
  private invalidatedAt = 0;

  constructor(
    private readonly variable: string,
    private readonly arn: string,
    private readonly field: string,
    private readonly region?: string,
    /** The value already read at start-up, if any: saves the first fetch. */
    initial?: string,
    /** Refetch at most this often, so a wrong password cannot turn into a flood of API calls. */
    private readonly minRefetchMs = 10_000,
  ) {
    if (initial !== undefined) this.value = Promise.resolve(initial);
  }

  /** The current value (fetched once, then cached). */
  get(): Promise<string> {
    this.value ??= fetchSecretString(this.variable, this.arn, this.region).then((secret) => {
      const value = (JSON.parse(secret) as Record<string, unknown>)[this.field];
      if (typeof value !== 'string')
        throw new EnvError([`${this.variable}: the secret has no string field "${this.field}"`]);
      return value;
    });
    // A failed fetch is not cached: the next connection tries again.
    this.value.catch(() => (this.value = null));
    return this.value;
  }

  /** The value was refused (authentication failed): fetch it again on next use. */
  invalidate(now = Date.now()): void {
    if (now - this.invalidatedAt < this.minRefetchMs) return;
    this.invalidatedAt = now;
    this.value = null;
  }
}

/** Options of {@link refreshSecretEvery}. */
export interface SecretRefreshOptions {
  /** The `*_SECRET_ARN` variable, named in errors. */
  readonly variable: string;
  readonly arn: string;
  readonly region?: string;
  /** How often to read the secret again. */
  readonly intervalMs: number;
  /** Takes the new value; throwing rejects it (the caller keeps what it had). */
  readonly apply: (value: string) => void;
  /** A read or an `apply` failed; the next interval tries again. */
  readonly onError: (err: Error) => void;
}

/**
 * Reads a secret again every `intervalMs` and hands its value to `apply`: how the access token
 * key sets follow a rotation without a restart. The timer does not keep the process alive.
 * Returns a function that stops it.
 */
export function refreshSecretEvery(options: SecretRefreshOptions): () => void {
  return runEvery(options.intervalMs, () =>
    fetchSecretString(options.variable, options.arn, options.region)
      .then(options.apply)
      .catch((err: unknown) => options.onError(err as Error)),
  );
}
