import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MESSAGE_STREAM_KEY } from '@co-talk/common/chat-message';
import { createRedis } from '@co-talk/common/redis';
import { REDIS_URL, TestClient, cleanup, newPrefix, refusedStatus, token } from './support';
import { bundleEntryPoint, entryPointEnv, freePort } from './entry-point';

/** The real entry point, bundled as the image bundles it, run as a process and sent SIGTERM. */

const prefix = newPrefix('drain');
const outDir = mkdtempSync(join(tmpdir(), 'gateway-drain-'));
let child: ChildProcess;
let port: number;
let output = '';

beforeAll(async () => {
  const entry = await bundleEntryPoint(outDir);
  port = await freePort();
  const probePort = await freePort();
  child = spawn(process.execPath, [entry], {
    env: entryPointEnv(prefix, { port, probePort }, { GATEWAY_WORKERS: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  while (!output.includes('redis ready') || !output.includes('gateway listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
  await cleanup(prefix);
});

test('SIGTERM: clients are told to reconnect and closed with 1001, every acked message is in the stream, the process exits 0', async () => {
  const roomId = randomUUID();
  const clients = await Promise.all([1, 2, 3, 4].map(async () => TestClient.connect(port, await token())));
  await Promise.all(clients.map((client) => client.join(roomId)));
  // Messages in flight when the signal arrives: whatever gets acked must be stored.
  clients.forEach((client, c) => {
    for (let i = 0; i < 10; i++) client.send({ type: 'send', roomId, clientMsgId: `c${c}-${i}`, content: `m${i}` });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');

  for (const client of clients) {
    expect(await client.next((e) => e.type === 'reconnect')).toMatchObject({
      reason: expect.stringMatching(/draining/),
    });
  }
  // New upgrades are refused: 503 while the listener closes, then no listener at all.
  expect([503, 'ECONNREFUSED']).toContain(await refusedStatus(port));
  const codes = await Promise.all(clients.map((client) => client.closed));
  expect(codes).toEqual([1001, 1001, 1001, 1001]);
  expect(await exited).toBe(0);

  const acked = clients.flatMap((client) => client.events.filter((e) => e.type === 'ack').map((e) => e.id as string));
  const redis = createRedis({ url: REDIS_URL });
  try {
    const stored = (await redis.xrange(`${prefix}${MESSAGE_STREAM_KEY}`, '-', '+')).map(
      ([, fields]) => (JSON.parse(fields[1]) as { id: string }).id,
    );
    expect(stored).toEqual(expect.arrayContaining(acked));
  } finally {
    redis.disconnect();
  }
}, 15_000);
