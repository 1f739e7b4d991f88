import { useTestApi } from './test-api';

jest.setTimeout(60_000);

const APP = 'https://app.example.com';

describe('CORS and public operations', () => {
  const { call } = useTestApi({ ALLOWED_ORIGINS: `${APP}, http://localhost:*` });
  const preflight = (origin: string, url = '/v1/auth/sign-in') =>
    call({
      method: 'OPTIONS',
      url,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('answers a preflight from an allowed origin, any port of a wildcard one', async () => {
    for (const origin of [APP, 'http://localhost:5173', 'http://localhost']) {
      const res = await preflight(origin, '/v1/rooms/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b/messages');
      expect(res.statusCode).toBe(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
        vary: 'Origin',
      });
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('refuses a preflight from any other origin, and adds no CORS header for it', async () => {
    for (const origin of ['https://evil.example', 'http://app.example.com', 'https://app.example.com:8443', 'null']) {
      const res = await preflight(origin);
      expect(res.statusCode).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const res = await call({ method: 'OPTIONS', url: '/v1/auth/sign-in' });
    expect(res.statusCode).toBe(404);
  });

  it('lets an allowed page read answers, errors included; a foreign page gets none', async () => {
    const payload = { email: `cors-${Date.now()}@example.com`, password: 'long enough password', displayName: 'c' };
    const ok = await call({ method: 'POST', url: '/v1/auth/sign-up', payload, headers: { origin: APP } });
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    const unauthorized = await call({ method: 'GET', url: '/v1/users/me', headers: { origin: APP } });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(APP);
    const foreign = await call({ method: 'GET', url: '/v1/users/me', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks exactly the operations that need no token as public (security: [])', async () => {
    const document = (await call({ method: 'GET', url: '/openapi.json' })).json();
    const seen: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, { security: [] }>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const url = path.replace(/\{[^}]+\}/g, '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b');
        const res = await call({ method: method.toUpperCase(), url, payload: method === 'get' ? undefined : {} });
        const isPublic = operation.security.length === 0;
        // A protected operation refuses before it looks at the body; a public one never asks for a token.
        expect({ op: `${method} ${path}`, unauthorized: res.statusCode === 401 }).toEqual({
          op: `${method} ${path}`,
          unauthorized: !isPublic,
        });
        if (isPublic) seen.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(seen.sort()).toEqual(['POST /v1/auth/sign-in', 'POST /v1/auth/sign-up']);
  });
});
