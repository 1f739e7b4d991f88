import { renderApiRoutes } from '../../scripts/api-routes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiOperationsOf } from '../../lib/contract';

describe('the API route table in the contract', () => {
  test('api-operations.json is what the API registers (else: npm run contract:api-routes)', async () => {
    const committed = readFileSync(join(__dirname, '../../lib/contract/api-operations.json'), 'utf8');
    expect(committed).toBe(await renderApiRoutes());
  }, 60_000);

  test('an operation that does not say whether it is public, or lies outside /v1/, is refused', () => {
    const op = (security?: unknown[]) => ({ get: security === undefined ? {} : { security } });
    expect(() => apiOperationsOf({ paths: { '/v1/x': op() } })).toThrow(
      'GET /v1/x: declares no security (use [] for a public operation)',
    );
    expect(() => apiOperationsOf({ paths: { '/metrics': op([]) } })).toThrow('GET /metrics: outside /v1/');
    expect(
      apiOperationsOf({ paths: { '/v1/b': op([{ bearerAuth: [] }]), '/v1/a': { post: { security: [] } } } }),
    ).toEqual([
      { method: 'POST', path: '/v1/a', public: true },
      { method: 'GET', path: '/v1/b', public: false },
    ]);
  });
});
