import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A checkout of the base revision, removed again with `dispose()`. */
export interface BaseCheckout {
  readonly dir: string;
  readonly sha: string;
  /** How its dependencies were provided: reused from the working tree, or installed with `npm ci`. */
  readonly dependencies: string[];
  dispose(): void;
}

/**
 * Checks `ref` out into a detached `git worktree` under `parent` and gives it dependencies:
 * each npm root (the repository, `apps/`) whose lock file matches the working tree's reuses the
 * working tree's `node_modules` through a symlink, which is instant and offline; a changed lock
 * file gets its own `npm ci --prefer-offline`.
 */
export function checkoutBase(repoDir: string, ref: string, parent: string): BaseCheckout {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let sha: string;
  try {
    sha = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(
      `--base "${ref}" is not a commit, branch or tag in this repository (try main, origin/main or a SHA)`,
    );
  }
  const dir = path.join(parent, 'base');
  git('worktree', 'add', '--detach', '--force', dir, sha);
  const dispose = () => {
    try {
      git('worktree', 'remove', '--force', dir);
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
      git('worktree', 'prune');
    }
  };
  try {
    const dependencies: string[] = [];
    for (const root of ['.', 'apps']) {
      const lock = path.join(root, 'package-lock.json');
      if (!fs.existsSync(path.join(dir, lock))) continue;
      const same =
        fs.existsSync(path.join(repoDir, lock)) &&
        fs.existsSync(path.join(repoDir, root, 'node_modules')) &&
        fs.readFileSync(path.join(repoDir, lock), 'utf8') === fs.readFileSync(path.join(dir, lock), 'utf8');
      if (same) {
        fs.symlinkSync(path.resolve(repoDir, root, 'node_modules'), path.join(dir, root, 'node_modules'), 'dir');
        dependencies.push(`${root}: reused`);
      } else {
        execFileSync('npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
          cwd: path.join(dir, root),
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        dependencies.push(`${root}: npm ci`);
      }
    }
    return { dir, sha, dependencies, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** The commit `ref` names, or an error naming the flag and what to pass. */
export function resolveCommit(repoDir: string, ref: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: repoDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    throw new Error(
      `--base "${ref}" is not a commit, branch or tag in this repository (try main, origin/main or a SHA)`,
    );
  }
}

/** Paths synth never reads: a change confined to them cannot change any template. */
const NOT_SYNTH_INPUTS = ['test', 'tools', '.github', '*.md'];

/**
 * True when nothing synth reads differs between commit `sha` and the working tree (tracked
 * changes, staged or not, and untracked files alike). Then both revisions synthesize to the same
 * templates, and the base need not be checked out or synthesized at all.
 */
export function synthInputsUnchanged(repoDir: string, sha: string): boolean {
  const pathspec = ['.', ...NOT_SYNTH_INPUTS.map((p) => `:(exclude)${p}`)];
  const run = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    run('diff', '--quiet', sha, '--', ...pathspec);
  } catch {
    return false;
  }
  return run('ls-files', '--others', '--exclude-standard', '--', ...pathspec).trim() === '';
}

/**
 * The rendered chart YAML under `charts/dist/` of a checkout, keyed by path relative to it.
 * Only files git would commit count (tracked or new, not ignored), so YAML rendered locally for
 * an ignored profile is compared with nothing rather than with the base's committed copy.
 */
export function readRenderedCharts(repoDir: string): Map<string, string> {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', 'charts/dist'],
    {
      cwd: repoDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const files = new Map<string, string>();
  for (const file of listed
    .split('\0')
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const full = path.join(repoDir, file);
    if (fs.existsSync(full)) files.set(file, fs.readFileSync(full, 'utf8'));
  }
  return files;
}
