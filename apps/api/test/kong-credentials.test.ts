import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { EnvError } from '@co-talk/common/env';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { parse, stringify } from 'yaml';
import { shellQuote, startupPaths, writeKongStartupFiles } from '../src/kong-credentials';

const ARN = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:co-talk/${name}-AbCdEf`;
/** The two secret ARN variables the startup files are filled from. */
const SECRET_ARNS = { JWT_PUBLIC_KEYS_SECRET_ARN: ARN('public-keys'), REDIS_PUBSUB_SECRET_ARN: ARN('pubsub') };
const secrets = mockClient(SecretsManagerClient);
let dir: string;

beforeEach(async () => {
  secrets.reset();
  dir = await mkdtemp(join(tmpdir(), 'kong-credentials-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** What a POSIX shell sees after sourcing `file`. */
function sourced(file: string, variable: string): string {
  return execFileSync('/bin/sh', ['-c', `. "$1" && printf '%s' "$${variable}"`, 'sh', file], { encoding: 'utf8' });
}

/** A declarative config shaped like the chart's: a route with the jwt plugin and the token consumer. */
const TEMPLATE = stringify({
  _format_version: '3.0',
  services: [{ name: 'api', url: 'http://api:3000', routes: [{ name: 'api', paths: ['/'] }] }],
  consumers: [{ username: 'co-talk-users', jwt_secrets: [] }],
});
const KEYS = generateTokenKeySets();
const publicKeys = JSON.parse(KEYS.publicKeys) as { keys: { kid: string; publicKey: string }[] };

/** Secrets Manager answers the public key set, and for the pub/sub user `pubsub`: its password, or a refusal. */
function secretsHold(pubsub: string | Error): void {
  const pubsubSecret = secrets
    .on(GetSecretValueCommand, { SecretId: ARN('public-keys') })
    .resolves({ SecretString: KEYS.publicKeys })
    .on(GetSecretValueCommand, { SecretId: ARN('pubsub') });
  if (typeof pubsub === 'string') pubsubSecret.resolves({ SecretString: pubsub });
  else pubsubSecret.rejects(pubsub);
}

async function template(): Promise<string> {
  const path = join(dir, 'template.yml');
  await writeFile(path, TEMPLATE);
  return path;
}

describe('kong-credentials', () => {
  test('fills the token consumer with one ES256 credential per public key, and exports the Redis password', async () => {
    const password = `it's a "pass" with $HOME, \`cmd\`, \\ and\nnewline '' end'`;
    secretsHold(password);
    await writeKongStartupFiles(await template(), dir, { AWS_REGION: 'eu-west-1', ...SECRET_ARNS });

    const env = join(dir, 'env');
    const config = join(dir, 'kong.yml');
    for (const file of [env, config]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(env, 'utf8')).toBe(`export KONG_REDIS_PASSWORD=${shellQuote(password)}\n`);
    expect(sourced(env, 'KONG_REDIS_PASSWORD')).toBe(password);
    const written = parse(await readFile(config, 'utf8'));
    expect(written.consumers[0].jwt_secrets).toEqual(
      publicKeys.keys.map(({ kid, publicKey }) => ({ key: kid, algorithm: 'ES256', rsa_public_key: publicKey })),
    );
    // Everything else is the template's.
    expect({ ...written, consumers: undefined }).toEqual({ ...parse(TEMPLATE), consumers: undefined });
    expect(await readFile(config, 'utf8')).not.toMatch(/PRIVATE KEY/);
  });

  test('quotes a single quote by closing, escaping and reopening', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe(`''`);
  });

  test('names a missing ARN and writes nothing', async () => {
    const failure = writeKongStartupFiles(await template(), dir, { JWT_PUBLIC_KEYS_SECRET_ARN: ARN('public-keys') });
    await expect(failure).rejects.toBeInstanceOf(EnvError);
    await expect(failure).rejects.toThrow('REDIS_PUBSUB_SECRET_ARN: is required but not set');
    await expect(stat(join(dir, 'env'))).rejects.toThrow('ENOENT');
  });

  test('reports an unreadable secret by variable, never by value, and writes nothing', async () => {
    secretsHold(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const failure = writeKongStartupFiles(await template(), dir, SECRET_ARNS);
    await expect(failure).rejects.toThrow('REDIS_PUBSUB_SECRET_ARN: could not read the secret (AccessDeniedException');
    await expect(stat(join(dir, 'kong.yml'))).rejects.toThrow('ENOENT');
  });

  test('refuses a malformed public key set, naming its variable, and writes nothing', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"keys":[]}' });
    const failure = writeKongStartupFiles(await template(), dir, SECRET_ARNS);
    await expect(failure).rejects.toThrow(/JWT_PUBLIC_KEYS_SECRET_ARN: public key set: keys:/);
    await expect(stat(join(dir, 'env'))).rejects.toThrow('ENOENT');
  });

  test('ignores plain values in the environment: only the secrets fill the files', async () => {
    secretsHold('from-secrets-manager');
    await writeKongStartupFiles(await template(), dir, {
      ...SECRET_ARNS,
      REDIS_PUBSUB_PASSWORD: 'from-the-environment',
      JWT_PUBLIC_KEYS: generateTokenKeySets().publicKeys,
    });
    expect(sourced(join(dir, 'env'), 'KONG_REDIS_PASSWORD')).toBe('from-secrets-manager');
    const written = parse(await readFile(join(dir, 'kong.yml'), 'utf8'));
    expect(written.consumers[0].jwt_secrets.map((s: { key: string }) => s.key)).toEqual(
      publicKeys.keys.map((k) => k.kid),
    );
  });

  test('takes the paths from the arguments, else the environment, else names what is missing', () => {
    expect(startupPaths(['/t.yml', '/out'], { KONG_CONFIG_TEMPLATE: '/x', KONG_CREDENTIALS_DIR: '/y' })).toEqual({
      template: '/t.yml',
      outputDir: '/out',
    });
    expect(startupPaths([], { KONG_CONFIG_TEMPLATE: '/x', KONG_CREDENTIALS_DIR: '/y' })).toEqual({
      template: '/x',
      outputDir: '/y',
    });
    expect(() => startupPaths([], {})).toThrow(
      /KONG_CONFIG_TEMPLATE: is required[\s\S]*KONG_CREDENTIALS_DIR: is required/,
    );
  });
});
