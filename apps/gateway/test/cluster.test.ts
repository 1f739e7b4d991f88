import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, cleanup, newPrefix, token } from './support';
import { bundleEntryPoint, entryPointEnv, freePort } from './entry-point';

/**
 * The pod's process as the image runs it: a cluster primary with two workers, under each way of
 * handing out connections. Messages cross workers through Redis, the primary's /metrics sums the
 * workers, and SIGTERM drains them all.
 */

const prefix = newPrefix('cluster');
const outDir = mkdtempSync(join(tmpdir(), 'gateway-cluster-'));
let entry: string;

beforeAll(async () => {
  entry = await bundleEntryPoint(outDir);
}, 30_000);

afterAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  await cleanup(prefix);
});

/** Two workers, as a pod with two cores runs them. */
const env = (port: number, probePort: number, settings: Record<string, string>) =>
  entryPointEnv(prefix, { port, probePort }, { GATEWAY_WORKERS: '2', ...settings });

test.each(['round-robin', 'os'])(
  'GATEWAY_CLUSTER_SCHEDULING=%s: two workers serve one room together and drain on SIGTERM',
  async (scheduling) => {
    const [port, probePort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [entry], {
      env: env(port, probePort, { GATEWAY_CLUSTER_SCHEDULING: scheduling }),
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const ready = await fetch(`http://127.0.0.1:${probePort}/readyz`).then(
          (res) => res.status === 200,
          () => false,
        );
        if (ready) break;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('gateway did not become ready');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const roomId = randomUUID();
      const clients = await Promise.all(Array.from({ length: 8 }, async () => TestClient.connect(port, await token())));
      await Promise.all(clients.map((client) => client.join(roomId)));
      clients[0].send({ type: 'send', roomId, clientMsgId: 'hello', content: 'to every worker' });
      await Promise.all(clients.map((client) => client.next((e) => e.type === 'message', 5000)));

      const metrics = await (await fetch(`http://127.0.0.1:${probePort}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_connections\{[^}]*\} 8$/m);

      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await Promise.all(clients.map((client) => client.closed))).toEqual(clients.map(() => 1001));
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  },
  30_000,
);

test('an unknown GATEWAY_CLUSTER_SCHEDULING stops the process with a message naming it', () => {
  const result = spawnSync(process.execPath, [entry], {
    env: env(0, 0, { GATEWAY_CLUSTER_SCHEDULING: 'random' }),
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('GATEWAY_CLUSTER_SCHEDULING');
  expect(result.stderr).toMatch(/"os".*"round-robin"/);
});
