import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Testing } from 'cdk8s';
import { EnvError, loadSecretEnv } from '@co-talk/common/env';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { searchOptionsFromEnv } from '@co-talk/common/search-client';
import { resolveSecretEnv } from '@co-talk/common/secrets';
import { samplerFromEnv, TRACING_ENV_NAMES } from '@co-talk/common/tracing';
import type { z } from 'zod';
import { createCoTalkCharts } from '../../charts/co-talk-charts';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { PROFILE_NAMES, loadProfile } from '../../lib/config';
import { apiEnvShape, migrateEnvShape } from '../api/src/config';
import {
  KONG_CREDENTIAL_VARIABLES,
  KONG_PUBLIC_KEYS_VARIABLE,
  KONG_TOKEN_CONSUMER,
  kongStartupFiles,
} from '../api/src/kong-credentials';
import { kongKeyRefreshEnvShape, kongKeyRefreshSettings } from '../api/src/kong-key-refresh';
import { gatewayEnvShape, loadGatewayEnv } from '../gateway/src/config';
import { workerEnvShape } from '../worker/src/config';

/**
 * The seam between the charts and the apps, checked from both ends: every container of every
 * chart of every profile, its rendered environment (secret ARNs standing in for dummy values
 * from a mocked Secrets Manager) parsed by its app's own loader, the one its `main` calls. A
 * variable the app does not read, one it cannot parse, or one it needs and does not get fails.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = Record<string, any>;

const secrets = mockClient(SecretsManagerClient);
const JSON_SECRETS = new Set([PLACEHOLDERS.backends.database.secretArn]);
// The token key sets are parsed by the apps, so they must be real ones.
const TOKEN_KEYS = generateTokenKeySets();
const KEY_SECRETS: Record<string, string> = {
  [PLACEHOLDERS.backends.jwt.signingKeysSecretArn]: TOKEN_KEYS.signingKeys,
  [PLACEHOLDERS.backends.jwt.publicKeysSecretArn]: TOKEN_KEYS.publicKeys,
};
beforeAll(() => {
  secrets.on(GetSecretValueCommand).callsFake(({ SecretId }: { SecretId: string }) => ({
    SecretString: JSON_SECRETS.has(SecretId)
      ? JSON.stringify({ username: 'dummy-user', password: 'dummy-password' })
      : (KEY_SECRETS[SecretId] ?? 'dummy-secret-value-at-least-32-bytes-long'),
  }));
});
afterAll(() => secrets.restore());

/** A container's environment as the pod would see it (field references filled in). */
function envOf(container: K8sObject): Record<string, string> {
  return Object.fromEntries(
    ((container.env ?? []) as K8sObject[]).map((e) => {
      if (e.value !== undefined) return [e.name, String(e.value)];
      if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') return [e.name, 'worker-7d9f8b-abcde'];
      throw new Error(`${e.name}: a value source this test does not model (${JSON.stringify(e.valueFrom)})`);
    }),
  );
}

/** The names `env` sets that `known` does not hold. */
const unknownNames = (env: Record<string, string>, known: Iterable<string>) => {
  const names = new Set(known);
  return Object.keys(env).filter((name) => !names.has(name));
};

/** Each app's check: its loader (as `main` calls it), and the names it reads. */
const apps = {
  async gateway(env: Record<string, string>) {
    loadGatewayEnv(await resolveSecretEnv(env));
    samplerFromEnv(env);
    return unknownNames(env, [...Object.keys(gatewayEnvShape), ...TRACING_ENV_NAMES]);
  },
  async api(env: Record<string, string>) {
    // Search options as startApi reads them: IAM signing needs its region, and excludes a password.
    searchOptionsFromEnv(await loadSecretEnv(apiEnvShape, resolveSecretEnv, env));
    samplerFromEnv(env);
    return unknownNames(env, [...Object.keys(apiEnvShape), ...TRACING_ENV_NAMES]);
  },
  // `main.js migrate` reads the database and nothing else of the API's.
  async 'api-migrate'(env: Record<string, string>) {
    await loadSecretEnv(migrateEnvShape, resolveSecretEnv, env);
    return unknownNames(env, Object.keys(migrateEnvShape));
  },
  async worker(env: Record<string, string>) {
    searchOptionsFromEnv(await loadSecretEnv(workerEnvShape, resolveSecretEnv, env));
    samplerFromEnv(env);
    return unknownNames(env, [...Object.keys(workerEnvShape), ...TRACING_ENV_NAMES]);
  },
  async 'kong-credentials'(env: Record<string, string>) {
    const template = `consumers:\n  - username: ${KONG_TOKEN_CONSUMER}\n    jwt_secrets: []\n`;
    const files = await kongStartupFiles(template, env);
    for (const { exported } of KONG_CREDENTIAL_VARIABLES) expect(files.env).toContain(`export ${exported}=`);
    expect(files.config).toContain('algorithm: ES256');
    return unknownNames(env, [
      'AWS_REGION',
      KONG_PUBLIC_KEYS_VARIABLE.arn,
      ...KONG_CREDENTIAL_VARIABLES.map((v) => v.arn),
    ]);
  },
  // The same command's loop mode, Kong's key refresh sidecar.
  async 'kong-key-refresh'(env: Record<string, string>) {
    kongKeyRefreshSettings(env);
    return unknownNames(env, Object.keys(kongKeyRefreshEnvShape));
  },
};

/** Which app a container runs; Kong's own container is Kong's configuration, tested with its chart. */
function appOf(container: K8sObject): keyof typeof apps | 'kong' {
  const { images } = PLACEHOLDERS;
  if (container.image === images.gateway) return 'gateway';
  if (container.image === images.worker) return 'worker';
  if (container.image === images.api) {
    const args = (container.args ?? []) as string[];
    if (args[0] === 'dist/kong-credentials.js')
      return args[1] === '--refresh' ? 'kong-key-refresh' : 'kong-credentials';
    return args[1] === 'migrate' ? 'api-migrate' : 'api';
  }
  if (/^kong:/.test(container.image)) return 'kong';
  throw new Error(`container ${container.name} (${container.image}): which app's loader checks it?`);
}

/** Every container (init containers included) of every Deployment and Job of a profile's charts. */
function containersOf(profileName: string): { workload: string; container: K8sObject }[] {
  const charts = createCoTalkCharts(Testing.app(), { profile: loadProfile(profileName), ...PLACEHOLDERS });
  return Object.values(charts)
    .flatMap((chart) => Testing.synth(chart) as K8sObject[])
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .flatMap((o) =>
      [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers].map(
        (container: K8sObject) => ({ workload: `${o.kind}/${o.metadata.name}`, container }),
      ),
    );
}

/** Problems an app finds in an environment: unknown names, or its loader's errors. */
async function problems(app: keyof typeof apps, env: Record<string, string>): Promise<string[]> {
  try {
    return (await apps[app](env)).map((name) => `${name}: not read by the ${app}`);
  } catch (err) {
    if (err instanceof EnvError) return [...err.problems];
    throw err;
  }
}

describe.each(PROFILE_NAMES)('chart ↔ app environment, %s', (profileName) => {
  const containers = containersOf(profileName);

  test('every app container is rendered and checked', () => {
    expect(new Set(containers.map(({ container }) => appOf(container)))).toEqual(
      new Set(['gateway', 'api', 'api-migrate', 'worker', 'kong-credentials', 'kong-key-refresh', 'kong']),
    );
  });

  const checked = containers.flatMap(({ workload, container }) => {
    const app = appOf(container);
    return app === 'kong' ? [] : [[`${workload} ${container.name}`, app, container] as const];
  });
  test.each(checked)('%s: the %s accepts every variable, and none is unknown', async (_name, app, container) => {
    expect(await problems(app, envOf(container))).toEqual([]);
  });
});

describe('the contract check fails on a rename from either side', () => {
  const containers = containersOf('prod');
  const apiEnv = envOf(containers.find(({ container }) => appOf(container) === 'api')!.container);

  test('a variable the chart renames is unknown to the app', async () => {
    const { JWT_ISSUER, ...rest } = apiEnv;
    expect(await problems('api', { ...rest, JWT_ISSUER_NAME: JWT_ISSUER })).toEqual([
      'JWT_ISSUER_NAME: not read by the api',
    ]);
  });

  test('a malformed value is the loader error', async () => {
    expect(await problems('api', { ...apiEnv, DATABASE_POOL_MAX: 'fifty' })).toEqual([
      expect.stringMatching(/^DATABASE_POOL_MAX: /),
    ]);
  });

  test('a variable the app renames leaves the chart setting an unknown one', async () => {
    const { ALLOWED_ORIGINS, ...renamed } = apiEnvShape;
    const shape = { ...renamed, CORS_ORIGINS: ALLOWED_ORIGINS } as z.ZodRawShape;
    // The loader alone would not notice (the new name has a default): the name check does.
    await expect(loadSecretEnv(shape, resolveSecretEnv, apiEnv)).resolves.toBeDefined();
    expect(unknownNames(apiEnv, [...Object.keys(shape), ...TRACING_ENV_NAMES])).toEqual(['ALLOWED_ORIGINS']);
  });
});
