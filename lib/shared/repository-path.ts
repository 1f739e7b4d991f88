import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A path inside the repository, found from its root (the first folder upwards with a
 * `package.json`): synth runs the constructs both from `lib/` (tests) and from the esbuild bundle
 * in `build/`, so `__dirname` differs.
 */
export function repositoryPath(...segments: string[]): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}: cannot find ${path.join(...segments)}`);
    dir = parent;
  }
  return path.join(dir, ...segments);
}
