import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { MESSAGE_STREAM_KEY, createRedis } from '@co-talk/common';
import { ISSUER, REDIS_URL, SECRET, TestClient, cleanup, newPrefix, refusedStatus, token } from './support';

/** The real entry point, bundled as the image bundles it, run as a process and sent SIGTERM. */

const prefix = newPrefix('drain');
const outDir = mkdtempSync(join(tmpdir(), 'gateway-drain-'));
let child: ChildProcess;
let port: number;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
}

beforeAll(async () => {
  await build({
    entryPoints: [join(__dirname, '../src/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: join(outDir, 'main.js'),
    logLevel: 'silent',
  });
  port = await freePort();
  const probePort = await freePort();
  child = spawn(process.execPath, [join(outDir, 'main.js')], {
    env: {
      PATH: process.env.PATH,
      JWT_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      GATEWAY_HTTP_PORT: String(probePort),
      GATEWAY_WORKERS: '1',
      GATEWAY_DRAIN_SECONDS: '2',
    },
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
