import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Options for {@link synthesize}. */
export interface SynthesizeOptions {
  /** The checkout holding `cdk.json` (the working tree, or a worktree of another revision). */
  readonly repoDir: string;
  /** Where the cloud assembly is written. */
  readonly outdir: string;
  /** Context on top of `cdk.json` and `cdk.context.json`, e.g. `{ env: 'prod' }`. */
  readonly context?: Record<string, unknown>;
}

/**
 * Synthesizes the CDK app of `repoDir` into `outdir` the way `cdk synth` does, without the CLI:
 * runs the `app` command of that revision's `cdk.json` with the merged context in
 * `CDK_CONTEXT_JSON`. No AWS call and no credentials: every lookup is in `cdk.context.json`.
 * Running the app directly skips the CLI's start-up, notices and telemetry, which keeps
 * multi-profile, two-revision diffs fast and offline.
 */
export async function synthesize(options: SynthesizeOptions): Promise<string> {
  const cdkJson = readJson(path.join(options.repoDir, 'cdk.json')) as { app?: string; context?: object };
  if (typeof cdkJson.app !== 'string') {
    throw new Error(`${path.join(options.repoDir, 'cdk.json')} has no "app" command to synthesize`);
  }
  const committedContext = fs.existsSync(path.join(options.repoDir, 'cdk.context.json'))
    ? (readJson(path.join(options.repoDir, 'cdk.context.json')) as object)
    : {};
  const context = {
    ...cdkJson.context,
    ...committedContext,
    // The same switches the CLI sets: construct paths in metadata make diffs readable.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': false,
    // The tools read templates and never deploy them: no alert destination needed (bin/co-talk.ts).
    review: true,
    ...options.context,
  };
  fs.rmSync(options.outdir, { recursive: true, force: true });
  fs.mkdirSync(options.outdir, { recursive: true });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_OUTDIR: path.resolve(options.outdir),
    CDK_CONTEXT_JSON: JSON.stringify(context),
  };
  // Credentials are never needed; dropping them guarantees synth cannot depend on an account.
  for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[key];

  const stderr: Buffer[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(cdkJson.app as string, {
      cwd: options.repoDir,
      env,
      shell: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) {
    const tail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `synth of ${options.repoDir} with context ${JSON.stringify(options.context ?? {})} failed:\n${tail}`,
    );
  }
  return options.outdir;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
