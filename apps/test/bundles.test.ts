import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * `@co-talk/common` is imported by subpath (`@co-talk/common/postgres`), so a bundle carries the
 * shared modules its app uses and their dependencies, nothing else: the gateway has no database
 * access and must not ship a PostgreSQL driver.
 */
async function bundledPackages(app: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [join(__dirname, '..', app, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return new Set(
    Object.keys(metafile.inputs).flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match ? [match[1]] : [];
    }),
  );
}

test('the gateway bundle holds no PostgreSQL driver; the worker and the API bundles do', async () => {
  const [gateway, worker, api] = await Promise.all(['gateway', 'worker', 'api'].map(bundledPackages));
  expect(gateway.has('pg')).toBe(false);
  expect(gateway.has('ws')).toBe(true);
  expect(worker.has('pg')).toBe(true);
  expect(api.has('pg')).toBe(true);
  // Three bundles on a busy machine.
}, 120_000);
