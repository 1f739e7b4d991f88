import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { EnvError } from '@co-talk/common/env';
import { outputPath, shellQuote, writeKongCredentials } from '../src/kong-credentials';

const ARN = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:co-talk/${name}-AbCdEf`;
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

describe('kong-credentials', () => {
  test('writes both secrets as shell exports, owner-only, which a shell reads back exactly', async () => {
    const jwt = `it's a "key" with $HOME, \`cmd\`, \\ and\nnewline '' end'`;
    secrets
      .on(GetSecretValueCommand, { SecretId: ARN('jwt') })
      .resolves({ SecretString: jwt })
      .on(GetSecretValueCommand, { SecretId: ARN('pubsub') })
      .resolves({ SecretString: 'auth-token' });
    const file = join(dir, 'env');
    await writeKongCredentials(file, {
      AWS_REGION: 'eu-west-1',
      JWT_SECRET_ARN: ARN('jwt'),
      REDIS_PUBSUB_SECRET_ARN: ARN('pubsub'),
    });

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(
      `export KONG_JWT_SECRET=${shellQuote(jwt)}\nexport KONG_REDIS_PASSWORD='auth-token'\n`,
    );
    expect(sourced(file, 'KONG_JWT_SECRET')).toBe(jwt);
    expect(sourced(file, 'KONG_REDIS_PASSWORD')).toBe('auth-token');
  });

  test('quotes a single quote by closing, escaping and reopening', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe(`''`);
  });

  test('names a missing ARN and writes nothing', async () => {
    const file = join(dir, 'env');
    const failure = writeKongCredentials(file, { JWT_SECRET_ARN: ARN('jwt') });
    await expect(failure).rejects.toBeInstanceOf(EnvError);
    await expect(failure).rejects.toThrow('REDIS_PUBSUB_SECRET_ARN: is required but not set');
    await expect(stat(file)).rejects.toThrow('ENOENT');
  });

  test('reports an unreadable secret by variable, never by value, and writes nothing', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: ARN('jwt') })
      .resolves({ SecretString: 'the-secret-value' })
      .on(GetSecretValueCommand, { SecretId: ARN('pubsub') })
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const file = join(dir, 'env');
    const failure = writeKongCredentials(file, { JWT_SECRET_ARN: ARN('jwt'), REDIS_PUBSUB_SECRET_ARN: ARN('pubsub') });
    await expect(failure).rejects.toThrow('REDIS_PUBSUB_SECRET_ARN: could not read the secret (AccessDeniedException');
    await expect(failure).rejects.not.toThrow('the-secret-value');
    await expect(stat(file)).rejects.toThrow('ENOENT');
  });

  test('ignores plain values in the environment: only the secrets fill the file', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'from-secrets-manager' });
    const file = join(dir, 'env');
    await writeKongCredentials(file, {
      JWT_SECRET_ARN: ARN('jwt'),
      REDIS_PUBSUB_SECRET_ARN: ARN('pubsub'),
      JWT_SECRET: 'from-the-environment',
    });
    expect(sourced(file, 'KONG_JWT_SECRET')).toBe('from-secrets-manager');
  });

  test('takes the path from the argument, else KONG_CREDENTIALS_FILE, else names both', () => {
    expect(outputPath(['/kong-credentials/env'], { KONG_CREDENTIALS_FILE: '/x' })).toBe('/kong-credentials/env');
    expect(outputPath([], { KONG_CREDENTIALS_FILE: '/x' })).toBe('/x');
    expect(() => outputPath([], {})).toThrow('KONG_CREDENTIALS_FILE: is required');
  });
});
