import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Runs an app the way its image does: bundled by esbuild into one file and started with node,
 * as a real process that a test can kill.
 */

const APPS_DIR = join(__dirname, '../..');

/** Bundles `<app>/src/main.ts` with the image's esbuild options; returns the bundle's path. */
export function bundleApp(app: 'api' | 'worker' | 'gateway'): string {
  const outdir = mkdtempSync(join(tmpdir(), `co-talk-${app}-`));
  buildSync({
    entryPoints: [join(APPS_DIR, app, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    outfile: join(outdir, 'main.js'),
    logLevel: 'error',
  });
  return join(outdir, 'main.js');
}

/** A started app process with its combined output kept for failure messages. */
export interface AppProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Starts `node bundle` with exactly `env` (plus PATH), capturing its output. */
export function startApp(bundle: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited };
}

/** A TCP port free at the time of asking (the app binds it moments later). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(url: string, app: AppProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (app.child.exitCode !== null) throw new Error(`process exited before ${url} was ready:\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends SIGTERM and waits for the exit; SIGKILL if it takes longer than `graceMs`. */
export async function stopApp(app: AppProcess, graceMs = 10_000): Promise<number | string> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return app.exited;
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
  const result = await app.exited;
  clearTimeout(timer);
  return result;
}
