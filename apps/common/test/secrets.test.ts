import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { EnvError } from '../src/env';
import { createPostgres, postgresOptionsFromEnv } from '../src/postgres';
import { RotatingSecretField, resolveSecretEnv } from '../src/secrets';
import { parsePostgresEnv, postgresEnvProblems } from './postgres-env';

const ARN = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:co-talk/${name}-AbCdEf`;

const secrets = mockClient(SecretsManagerClient);

beforeEach(() => secrets.reset());

async function problemsOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).problems.join('\n');
  }
  throw new Error('expected an EnvError');
}

describe('resolveSecretEnv', () => {
  test('fills in the plain variables from plain and JSON secrets, leaving the rest as it was', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: ARN('jwt') })
      .resolves({ SecretString: 'k'.repeat(40) })
      .on(GetSecretValueCommand, { SecretId: ARN('db') })
      .resolves({ SecretString: JSON.stringify({ username: 'cotalk', password: 'pw', engine: 'postgres' }) })
      .on(GetSecretValueCommand, { SecretId: ARN('cache') })
      .resolves({ SecretString: 'auth-token' });
    const env = await resolveSecretEnv({
      JWT_PUBLIC_KEYS_SECRET_ARN: ARN('jwt'),
      DATABASE_SECRET_ARN: ARN('db'),
      REDIS_CACHE_SECRET_ARN: ARN('cache'),
      LOG_LEVEL: 'info',
    });
    expect(env).toMatchObject({
      JWT_PUBLIC_KEYS: 'k'.repeat(40),
      DATABASE_USER: 'cotalk',
      DATABASE_PASSWORD: 'pw',
      REDIS_CACHE_PASSWORD: 'auth-token',
      LOG_LEVEL: 'info',
    });
    expect(env.REDIS_STREAMS_PASSWORD).toBeUndefined();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  test('makes no call when no ARN is set (local runs, tests)', async () => {
    const source = { JWT_PUBLIC_KEYS: 'k'.repeat(40), REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(await resolveSecretEnv(source)).toEqual(source);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('an ARN together with the value it stands for is an error naming both', async () => {
    const problems = await problemsOf(
      resolveSecretEnv({
        JWT_PUBLIC_KEYS_SECRET_ARN: ARN('jwt'),
        JWT_PUBLIC_KEYS: 'x'.repeat(40),
        DATABASE_SECRET_ARN: ARN('db'),
        DATABASE_PASSWORD: 'p',
      }),
    );
    expect(problems).toMatch(/JWT_PUBLIC_KEYS_SECRET_ARN and JWT_PUBLIC_KEYS: set one, not both/);
    expect(problems).toMatch(/DATABASE_SECRET_ARN and DATABASE_PASSWORD: set one, not both/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('an unreadable secret, a malformed one and a bad ARN are named, and no value appears in the message', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: ARN('jwt') })
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))
      .on(GetSecretValueCommand, { SecretId: ARN('db') })
      .resolves({ SecretString: JSON.stringify({ username: 'admin', secretive: 'hunter2-value' }) });
    const problems = await problemsOf(
      resolveSecretEnv({
        JWT_PUBLIC_KEYS_SECRET_ARN: ARN('jwt'),
        DATABASE_SECRET_ARN: ARN('db'),
        REDIS_PUBSUB_SECRET_ARN: 'my-secret',
      }),
    );
    expect(problems).toMatch(/JWT_PUBLIC_KEYS_SECRET_ARN: could not read the secret \(AccessDeniedException/);
    expect(problems).toMatch(/DATABASE_SECRET_ARN: the secret has no string field "password"/);
    expect(problems).toMatch(/REDIS_PUBSUB_SECRET_ARN: expected a Secrets Manager secret ARN/);
    expect(problems).not.toMatch(/hunter2|admin/);
  });
});

describe('RotatingSecretField', () => {
  test('serves the start-up value, then after a refusal fetches the rotated one, at most once per interval', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ username: 'u', password: 'rotated' }) })
      .resolves({ SecretString: JSON.stringify({ username: 'u', password: 'rotated-again' }) });
    const field = new RotatingSecretField('DATABASE_SECRET_ARN', ARN('db'), 'password', 'eu-west-1', 'initial', 10_000);
    expect(await field.get()).toBe('initial');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    field.invalidate(100_000);
    expect(await field.get()).toBe('rotated');
    field.invalidate(105_000); // within the interval: keeps the value
    expect(await field.get()).toBe('rotated');
    field.invalidate(111_000);
    expect(await field.get()).toBe('rotated-again');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('postgresOptionsFromEnv', () => {
  test('the production form: hosts, port, database, the secret user and a rotating password, TLS implied', () => {
    const options = postgresOptionsFromEnv(
      parsePostgresEnv({
        DATABASE_HOST: 'writer.example',
        DATABASE_PORT: '5433',
        DATABASE_READER_HOSTS: 'r1.example,r2.example',
        DATABASE_SECRET_ARN: ARN('db'),
        DATABASE_USER: 'cotalk',
        DATABASE_PASSWORD: 'from-secret',
        DATABASE_CA_FILE: '/etc/ssl/rds.pem',
      }),
      'test',
    );
    expect(options).toMatchObject({
      writer: { hosts: ['writer.example'], port: 5433, database: 'cotalk', user: 'cotalk' },
      reader: { hosts: ['r1.example', 'r2.example'], port: 5433, database: 'cotalk', user: 'cotalk' },
      tls: true,
      caFile: '/etc/ssl/rds.pem',
    });
    expect(options.password).toBeInstanceOf(RotatingSecretField);
  });

  test('the local form stays as it was', () => {
    expect(
      postgresOptionsFromEnv(
        parsePostgresEnv({ DATABASE_URL: 'postgres://u@h:5432/db', DATABASE_PASSWORD: 'p' }),
        'test',
      ),
    ).toMatchObject({
      writer: { url: 'postgres://u@h:5432/db' },
      reader: undefined,
      password: 'p',
      tls: false,
    });
  });

  test('contradictions and gaps name the variables', () => {
    expect(postgresEnvProblems({})).toMatch(/DATABASE_HOST or DATABASE_URL: one is required/);
    expect(postgresEnvProblems({ DATABASE_HOST: 'h', DATABASE_URL: 'postgres://u@h/db' })).toMatch(/set one, not both/);
    expect(postgresEnvProblems({ DATABASE_URL: 'postgres://u@h/db', DATABASE_READER_HOSTS: 'r1' })).toMatch(
      /DATABASE_READER_HOSTS: goes with DATABASE_HOST/,
    );
    expect(
      postgresEnvProblems({ DATABASE_HOST: 'h', DATABASE_SECRET_ARN: ARN('db'), DATABASE_TLS: 'disable' }),
    ).toMatch(/DATABASE_TLS: must not be disable with DATABASE_SECRET_ARN/);
  });

  test('reader connections go to the replica hosts in turn', async () => {
    const postgres = createPostgres(
      postgresOptionsFromEnv(parsePostgresEnv({ DATABASE_HOST: 'w', DATABASE_READER_HOSTS: 'r1,r2,r3' }), 'test'),
    );
    try {
      const pool = postgres.reader as unknown as { Client: new (config: object) => { host: string }; options: object };
      const hosts = Array.from({ length: 4 }, () => new pool.Client(pool.options).host);
      expect(hosts).toEqual(['r1', 'r2', 'r3', 'r1']);
    } finally {
      await postgres.close();
    }
  });
});
