import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { withTokenKeys } from '../../apps/api/src/kong-credentials';
import { generateTokenKeySets } from '../../apps/common/src/jwt';
import { KONG_COMMAND, KONG_IMAGE, KONG_KEY_REFRESH_ARGS, KongChart } from '../../charts/kong';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { ofKind, synthChart, workloadProps, type K8sObject } from './synth-charts';

describe('KongChart', () => {
  // Given the prod profile (600 requests a minute, 1024 KiB bodies)
  const props = {
    ...workloadProps('prod'),
    targetGroupArn: PLACEHOLDERS.targetGroupArns.kong,
    apiNamespace: 'co-talk',
    credentialsImage: PLACEHOLDERS.images.api,
  };
  const objects = synthChart(new KongChart(Testing.app(), 'Kong', props));
  const configMap = ofKind(objects, 'ConfigMap', 'kong-declarative')[0];
  const config = parse(configMap.data['kong.yml']);
  const pod = ofKind(objects, 'Deployment', 'kong')[0].spec.template.spec;
  const env = Object.fromEntries((pod.containers[0].env as K8sObject[]).map((e) => [e.name, e]));

  test('runs DB-less from the mounted declarative configuration, admin API on loopback only', () => {
    expect(env.KONG_DATABASE.value).toBe('off');
    // The template from the ConfigMap, with the token credentials the initContainer added.
    expect(env.KONG_DECLARATIVE_CONFIG.value).toBe('/kong-credentials/kong.yml');
    expect(env.KONG_ADMIN_LISTEN.value).toBe('127.0.0.1:8001');
    expect(env.KONG_ANONYMOUS_REPORTS.value).toBe('off');
    expect(env.KONG_NGINX_WORKER_PROCESSES.value).toBe('1');
    expect(pod.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([{ mountPath: '/kong/declarative', name: expect.any(String), readOnly: true }]),
    );
  });

  test('routes to the api Service: the public operations, then everything under /v1/ behind jwt', () => {
    const [service] = config.services;
    expect(service.url).toBe('http://api.co-talk.svc.cluster.local:3000');
    expect(
      service.routes.map((r: K8sObject) => [r.name, r.methods, r.paths, r.plugins?.map((p: K8sObject) => p.name)]),
    ).toEqual([
      ['public-post-v1-auth-sign-in', ['POST'], ['~/v1/auth/sign-in$'], ['rate-limiting']],
      ['public-post-v1-auth-sign-up', ['POST'], ['~/v1/auth/sign-up$'], ['rate-limiting']],
      ['api', undefined, ['/v1/'], ['jwt']],
    ]);
    // The key is picked by the token header's kid.
    expect(service.routes[2].plugins[0].config).toEqual({
      key_claim_name: 'kid',
      claims_to_verify: ['exp'],
      maximum_expiration: 3600,
      uri_param_names: [],
      cookie_names: [],
      header_names: ['authorization'],
      secret_is_base64: false,
      run_on_preflight: false,
    });
    expect(service.routes[0].plugins[0].config.minute).toBe(30);
  });

  test('the template holds no key: the token consumer has no credential yet', () => {
    expect(config.consumers).toEqual([{ username: 'co-talk-users', jwt_secrets: [] }]);
  });

  test("the initContainer's renderer fills this template's consumer with one ES256 credential per public key", () => {
    // Both ends of the seam: the chart's template and the api image's renderer.
    const keys = generateTokenKeySets();
    const rendered = parse(withTokenKeys(configMap.data['kong.yml'], keys.publicKeys));
    const published = JSON.parse(keys.publicKeys).keys as { kid: string; publicKey: string }[];
    expect(rendered.consumers[0].jwt_secrets).toEqual(
      published.map(({ kid, publicKey }) => ({ key: kid, algorithm: 'ES256', rsa_public_key: publicKey })),
    );
    expect({ ...rendered, consumers: undefined }).toEqual({ ...config, consumers: undefined });
  });

  test('limits rate (counters in Redis over TLS, as its own user) and request size from the profile', () => {
    const plugins = Object.fromEntries(config.services[0].plugins.map((p: K8sObject) => [p.name, p.config]));
    expect(plugins['rate-limiting']).toMatchObject({
      minute: 600,
      policy: 'redis',
      redis: {
        host: 'redis-pubsub.example.internal',
        port: 6381,
        ssl: true,
        // Kong 3.9's shared Redis schema (`kong/tools/redis/schema.lua`): `username` makes it AUTH
        // as that ACL user; the user may touch `ratelimit:*` keys only (lib/contract/redis-acl.ts).
        username: 'cotalk-env-kong-pubsub',
        password: '{vault://env/kong-redis-password}',
      },
    });
    expect(plugins['request-size-limiting']).toEqual({ allowed_payload_size: 1024, size_unit: 'kilobytes' });
  });

  test('fetches its credentials in an initContainer of the api image into a memory volume, never by value', () => {
    const [init] = pod.initContainers as K8sObject[];
    expect(pod.initContainers).toHaveLength(1);
    expect(init.image).toBe(PLACEHOLDERS.images.api);
    expect(init.args).toEqual(['dist/kong-credentials.js', '/kong/declarative/kong.yml', '/kong-credentials']);
    expect(init.command).toBeUndefined();
    expect(Object.fromEntries((init.env as K8sObject[]).map((e) => [e.name, e.value]))).toEqual({
      AWS_REGION: PLACEHOLDERS.backends.region,
      JWT_PUBLIC_KEYS_SECRET_ARN: PLACEHOLDERS.backends.jwt.publicKeysSecretArn,
      // Kong's own user's password, not another app's.
      REDIS_PUBSUB_SECRET_ARN: PLACEHOLDERS.backends.redis.pubsub.users.kong?.secretArn,
    });
    const volumeOf = (container: K8sObject) =>
      (container.volumeMounts as K8sObject[]).find((m) => m.mountPath === '/kong-credentials');
    expect(volumeOf(init)).toEqual({ mountPath: '/kong-credentials', name: 'credentials' });
    // It reads the ConfigMap's config as its template, read-only.
    expect((init.volumeMounts as K8sObject[]).find((m) => m.mountPath === '/kong/declarative')).toEqual({
      mountPath: '/kong/declarative',
      name: expect.any(String),
      readOnly: true,
    });
    expect(volumeOf(pod.containers[0])).toEqual({
      mountPath: '/kong-credentials',
      name: 'credentials',
      readOnly: true,
    });
    expect((pod.volumes as K8sObject[]).find((v) => v.name === 'credentials')).toEqual({
      name: 'credentials',
      emptyDir: { medium: 'Memory', sizeLimit: '1Mi' },
    });
    // Nothing reads a Kubernetes Secret: the values reach Kong only through the sourced file.
    expect(JSON.stringify(objects)).not.toMatch(/secretKeyRef|secretRef/);
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY|token-signing-keys/);
  });

  test('sources the credentials, then starts through the official entrypoint', () => {
    expect(pod.containers[0].command).toEqual([...KONG_COMMAND]);
    expect(KONG_COMMAND).toEqual([
      '/bin/sh',
      '-c',
      '. /kong-credentials/env && exec /docker-entrypoint.sh kong docker-start',
    ]);
  });

  test('hardens the initContainer like Kong, at the same size', () => {
    const [init] = pod.initContainers as K8sObject[];
    expect(init.securityContext).toEqual(pod.containers[0].securityContext);
    expect(init.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(init.resources).toEqual(pod.containers[0].resources);
  });

  test('a key refresh sidecar of the api image posts new token keys to the admin API on loopback', () => {
    expect(pod.containers.map((c: K8sObject) => c.name)).toEqual(['kong', 'key-refresh']);
    const sidecar = pod.containers[1] as K8sObject;
    expect(sidecar.image).toBe(PLACEHOLDERS.images.api);
    expect(sidecar.args).toEqual([...KONG_KEY_REFRESH_ARGS]);
    expect(KONG_KEY_REFRESH_ARGS).toEqual([
      'dist/kong-credentials.js',
      '--refresh',
      '/kong/declarative/kong.yml',
      '/kong-credentials',
    ]);
    // The public keys only, the profile's interval (prod: 300 s), Kong's admin API in the pod.
    expect(Object.fromEntries((sidecar.env as K8sObject[]).map((e) => [e.name, e.value]))).toEqual({
      AWS_REGION: PLACEHOLDERS.backends.region,
      JWT_PUBLIC_KEYS_SECRET_ARN: PLACEHOLDERS.backends.jwt.publicKeysSecretArn,
      KONG_ADMIN_URL: 'http://127.0.0.1:8001',
      KONG_KEYS_REFRESH_SECONDS: '300',
    });
    // What Kong started from (to compare with) and the template, both read-only.
    expect(sidecar.volumeMounts).toEqual(
      expect.arrayContaining([
        { mountPath: '/kong-credentials', name: 'credentials', readOnly: true },
        { mountPath: '/kong/declarative', name: expect.any(String), readOnly: true },
      ]),
    );
    expect(sidecar.securityContext).toEqual(pod.containers[0].securityContext);
    expect(sidecar.resources).toEqual({
      limits: { cpu: '50m', memory: '96Mi' },
      requests: { cpu: '50m', memory: '96Mi' },
    });
  });

  test('refuses a floating credentials image', () => {
    expect(() => new KongChart(Testing.app(), 'Kong', { ...props, credentialsImage: 'co-talk/api:latest' })).toThrow(
      /kong credentials image "co-talk\/api:latest" is not pinned/,
    );
  });

  test('rolls its pods when the configuration changes', () => {
    const annotations = ofKind(objects, 'Deployment', 'kong')[0].spec.template.metadata.annotations;
    expect(annotations['co-talk/declarative-config-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const other = new KongChart(Testing.app(), 'Kong', { ...props, apiNamespace: 'elsewhere' });
    const otherAnnotations = ofKind(Testing.synth(other) as K8sObject[], 'Deployment', 'kong')[0].spec.template.metadata
      .annotations;
    expect(otherAnnotations['co-talk/declarative-config-sha256']).not.toBe(
      annotations['co-talk/declarative-config-sha256'],
    );
  });

  test('runs a pinned release, probes its status listener and binds the proxy port to the ALB', () => {
    expect(pod.containers[0].image).toBe(KONG_IMAGE);
    expect(KONG_IMAGE).toMatch(/^kong:\d+\.\d+\.\d+$/);
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/status/ready', port: 8100, scheme: 'HTTP' });
    expect(ofKind(objects, 'TargetGroupBinding')[0].spec).toEqual({
      targetGroupARN: PLACEHOLDERS.targetGroupArns.kong,
      targetType: 'ip',
      serviceRef: { name: 'kong', port: 8000 },
    });
  });

  test('refuses a floating Kong tag', () => {
    expect(() => new KongChart(Testing.app(), 'Kong', { ...props, image: 'kong:3.9' })).toThrow(
      /kong image "kong:3.9" is not pinned: use a digest .* or an exact version tag/,
    );
  });
});
