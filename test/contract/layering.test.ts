import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Imports point one way: `lib/contract` ← the `lib/` tiers and `charts/` ← the workloads stack.
 * The charts are a tier used only by the workloads stack; they may read the profile and the
 * contract, and nothing else of `lib/`.
 */
const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('charts/imports/'));
}

/** Every module a file imports, resolved to a path relative to the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'/gms)].map((m) =>
    relative(root, resolve(root, file, '..', m[1])),
  );
}

describe('import direction', () => {
  test('no lib/ tier but the workloads stack imports the charts', () => {
    const offenders = sources('lib')
      .filter((f) => !f.startsWith('lib/workloads/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('charts'))
          .map((i) => `${f} → ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  test('the charts import only the profile and the contract of lib/', () => {
    const offenders = sources('charts').flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('lib/') && !/^lib\/(config|contract)(\/|$)/.test(i))
        .map((i) => `${f} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  test('the contract imports nothing of lib/ or charts/', () => {
    const offenders = sources('lib/contract').flatMap((f) =>
      importsOf(f)
        .filter((i) => (i.startsWith('lib/') && !i.startsWith('lib/contract')) || i.startsWith('charts'))
        .map((i) => `${f} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  test('what the contract takes from apps/ is types, or values of modules that import nothing', () => {
    // The synthesized app bundles what the contract imports: an app module pulling in a client
    // library would put it into every synth.
    const offenders = sources('lib/contract').flatMap((f) => {
      const text = readFileSync(join(root, f), 'utf8');
      return [...text.matchAll(/^(import|export)( type)?[^;]*?from '(\.[^']+)'/gms)]
        .filter((m) => m[2] === undefined && relative(root, resolve(root, f, '..', m[3])).startsWith('apps/'))
        .map((m) => relative(root, resolve(root, f, '..', `${m[3]}.ts`)))
        .filter((app) => /^(import|export)[^;]*?from '/m.test(readFileSync(join(root, app), 'utf8')))
        .map((app) => `${f} → ${app}`);
    });
    expect(offenders).toEqual([]);
  });
});
