import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One Node.js major everywhere: the images' build and runtime bases, every esbuild target and
 * the process these tests run in (CI runs them through npm, whose scripts use the Node.js that
 * `npm ci` puts in node_modules/.bin).
 */
const APPS_DIR = join(__dirname, '..');
const ROOT = join(APPS_DIR, '..');
const dockerfile = readFileSync(join(APPS_DIR, 'Dockerfile'), 'utf8');
const buildMajor = /^FROM node:(\d+)\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64} AS build$/m.exec(dockerfile)?.[1];
const runtimeMajor = /^FROM gcr\.io\/distroless\/nodejs(\d+)-debian12:nonroot@sha256:[0-9a-f]{64} AS runtime$/m.exec(
  dockerfile,
)?.[1];

/** Every file that bundles an app or a bench with esbuild, with the targets it names. */
const BUNDLERS = [
  'apps/gateway/package.json',
  'apps/api/package.json',
  'apps/worker/package.json',
  'apps/scripts/dev.js',
  'apps/test/support/processes.ts',
  'apps/gateway/test/entry-point.ts',
  'apps/bench/gateway/main.ts',
  'package.json',
  'scripts/cdk-app.js',
];

test('both image bases are pinned by digest to the same Node.js major', () => {
  expect(buildMajor).toMatch(/^\d+$/);
  expect(runtimeMajor).toBe(buildMajor);
});

test('the tests run on that major (run them with npm test or npx jest)', () => {
  expect(`node ${process.versions.node.split('.')[0]}`).toBe(`node ${buildMajor}`);
});

test.each(BUNDLERS)('%s bundles for that major', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const targets = [...text.matchAll(/target(?:=|: ')(node\d+)/g)].map((match) => match[1]);
  expect(targets.length).toBeGreaterThan(0);
  expect(new Set(targets)).toEqual(new Set([`node${buildMajor}`]));
});
