import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { openApiDocument } from '../../apps/api/src/openapi-document';
import { KongChart } from '../../charts/kong';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { PROFILE_NAMES, loadProfile } from '../../lib/config';
import { apiOperationsOf, type ApiOperation } from '../../lib/contract';
import { matchKongRoute, normalizePath, type KongDeclarative } from './kong-router';
import { ofKind, type K8sObject } from './synth-charts';

/** Kong's declarative configuration as the chart renders it for a profile. */
function kongConfigOf(profileName: (typeof PROFILE_NAMES)[number]): KongDeclarative {
  const chart = new KongChart(Testing.app(), 'Kong', {
    profile: loadProfile(profileName),
    namespace: 'co-talk',
    backends: PLACEHOLDERS.backends,
    targetGroupArn: PLACEHOLDERS.targetGroupArns.kong,
    apiNamespace: 'co-talk',
    credentialsImage: PLACEHOLDERS.images.api,
  });
  return parse(ofKind(Testing.synth(chart) as K8sObject[], 'ConfigMap', 'kong-declarative')[0].data['kong.yml']);
}

/** A concrete request path for an OpenAPI path: every parameter filled with a UUID. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b');

/** Paths a client might try that are not API operations: none may reach the API through Kong. */
const NOT_ROUTED = [
  '/',
  '/metrics',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/auth/sign-in',
  '/v1',
  '/v2/auth/sign-in',
  '/V1/auth/sign-in',
  '/v1/../metrics',
  '/v1/%2e%2e/readyz',
  '/api/v1/rooms',
];

describe('Kong routes from the API route table', () => {
  let operations: ApiOperation[];
  beforeAll(async () => {
    // The API's own document, built from its registered routes: a renamed route shows here.
    operations = apiOperationsOf(await openApiDocument());
  }, 60_000);

  test('the API has public operations and protected ones', () => {
    expect(operations.filter((op) => op.public).map((op) => `${op.method} ${op.path}`)).toEqual([
      'POST /v1/auth/sign-in',
      'POST /v1/auth/sign-up',
    ]);
    expect(operations.filter((op) => !op.public).length).toBeGreaterThan(10);
  });

  describe.each(PROFILE_NAMES)('%s', (name) => {
    const profile = loadProfile(name);
    const config = kongConfigOf(name);

    test('every public operation: routed by method and exact path, no jwt, the stricter rate limit', () => {
      for (const op of operations.filter((o) => o.public)) {
        const match = matchKongRoute(config, op.method, concrete(op.path));
        expect({ op: `${op.method} ${op.path}`, route: match?.route.name, jwt: match?.plugins.jwt }).toEqual({
          op: `${op.method} ${op.path}`,
          route: expect.stringMatching(/^public-/),
          jwt: undefined,
        });
        expect(match!.plugins['rate-limiting']).toMatchObject({ minute: profile.app.apiPublicRateLimitPerMinute });
        expect(match!.plugins['rate-limiting'].minute).toBeLessThan(profile.app.apiRateLimitPerMinute);
      }
    });

    test('every other operation: behind jwt (header only, bounded lifetime), the general rate limit', () => {
      for (const op of operations.filter((o) => !o.public)) {
        const match = matchKongRoute(config, op.method, concrete(op.path));
        expect({ op: `${op.method} ${op.path}`, jwt: match?.plugins.jwt }).toEqual({
          op: `${op.method} ${op.path}`,
          jwt: expect.objectContaining({
            uri_param_names: [],
            cookie_names: [],
            claims_to_verify: ['exp'],
            maximum_expiration: profile.app.accessTokenTtlSeconds,
          }),
        });
        expect(match!.plugins['rate-limiting']).toMatchObject({ minute: profile.app.apiRateLimitPerMinute });
      }
    });

    test('a public path with another method, a suffix or a trailing slash needs a token', () => {
      for (const op of operations.filter((o) => o.public)) {
        const path = concrete(op.path);
        for (const [method, p] of [
          ['GET', path],
          ['DELETE', path],
          [op.method, `${path}/`],
          [op.method, `${path}/x`],
          [op.method, `${path}x`],
        ]) {
          expect({ request: `${method} ${p}`, jwt: Boolean(matchKongRoute(config, method, p)?.plugins.jwt) }).toEqual({
            request: `${method} ${p}`,
            jwt: true,
          });
        }
      }
    });

    test('nothing outside /v1/ is routed', () => {
      for (const path of NOT_ROUTED) {
        for (const method of ['GET', 'POST']) {
          expect({ request: `${method} ${path}`, route: matchKongRoute(config, method, path)?.route.name }).toEqual({
            request: `${method} ${path}`,
            route: undefined,
          });
        }
      }
    });
  });
});

describe('the Kong router model', () => {
  const config: KongDeclarative = {
    services: [
      {
        name: 's',
        routes: [
          { name: 'prefix', paths: ['/v1/'] },
          { name: 'longer', paths: ['/v1/rooms'] },
          { name: 'regex', paths: ['~/v1/rooms/[^/]+$'] },
          { name: 'method', paths: ['/v1/'], methods: ['POST'] },
        ],
      },
    ],
  };

  test('ranks methods over paths alone, regex over prefix, longer prefix over shorter', () => {
    expect(matchKongRoute(config, 'POST', '/v1/rooms/1')?.route.name).toBe('method');
    expect(matchKongRoute(config, 'GET', '/v1/rooms/1')?.route.name).toBe('regex');
    expect(matchKongRoute(config, 'GET', '/v1/rooms/1/x')?.route.name).toBe('longer');
    expect(matchKongRoute(config, 'GET', '/v1/friends')?.route.name).toBe('prefix');
    expect(matchKongRoute(config, 'GET', '/v2/')).toBeUndefined();
  });

  test('anchors regex paths at the start and normalizes the path first', () => {
    expect(matchKongRoute(config, 'GET', '/x/v1/rooms/1')).toBeUndefined();
    expect(normalizePath('/v1/a/../b/./c?q=1')).toBe('/v1/b/c');
    expect(normalizePath('/v1/%61uth')).toBe('/v1/auth');
    expect(normalizePath('/v1/%2F')).toBe('/v1/%2F');
  });
});
