import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, type ChatMessage } from '@co-talk/common/chat-message';
import { loadEnv } from '@co-talk/common/env';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { workerEnvShape } from '../../worker/src/config';
import { startWorker } from '../../worker/src/worker';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL } from '../../test/support/databases';
import { bundleApp, freePort, startApp, stopApp, waitForHttp } from '../../test/support/processes';
import { deleteKeysWithPrefix } from '../../test/support/redis-cleanup';

/**
 * The storage path, measured: how fast the worker drains the stream into PostgreSQL, and how fast
 * the API answers a history page and a cached profile read. The worker runs in this process; the
 * API runs as its own process from its bundle, so the load generator does not share its event
 * loop. Uses a fresh database and key
 * prefix on the local servers and removes them afterwards.
 *
 * BENCH_MESSAGES (default 100000), BENCH_BATCH (500), BENCH_HTTP_SECONDS (5),
 * BENCH_HTTP_CONCURRENCY (32).
 */

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(url: string, token: string, seconds: number, concurrency: number): Promise<string> {
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const start = process.hrtime.bigint();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${url} answered ${res.status}`);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return `${Math.round(latencies.length / seconds)} req/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const total = num('BENCH_MESSAGES', 100_000);
  const db = await createTestDatabase();
  const prefix = testKeyPrefix();
  const redis = new Redis(TEST_REDIS_URL);
  try {
    // Worker: a backlog of `total` messages in 20 rooms, drained from a cold start.
    const rooms = Array.from({ length: 20 }, () => randomUUID());
    const sender = randomUUID();
    for (let i = 0; i < total; i += 5000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(total, i + 5000); j += 1) {
        const message: ChatMessage = {
          id: randomUUID(),
          roomId: rooms[j % rooms.length],
          senderId: sender,
          clientMsgId: String(j),
          content: `benchmark message number ${j} with a little text in it`,
          createdAt: new Date(Date.now() - (total - j)).toISOString(),
        };
        pipeline.xadd(`${prefix}${MESSAGE_STREAM_KEY}`, '*', STREAM_MESSAGE_FIELD, JSON.stringify(message));
      }
      await pipeline.exec();
    }
    const base = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };
    const started = Date.now();
    const worker = await startWorker(
      loadEnv(workerEnvShape, { ...base, METRICS_PORT: '0', WORKER_BATCH_SIZE: String(num('BENCH_BATCH', 500)) }),
    );
    for (;;) {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM messages');
      if (rows[0].n >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    await worker.stop();
    console.log(
      `worker: ${total} messages stored in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} messages/s`,
    );

    // API: history pages and cached profile reads under concurrent load.
    const port = await freePort();
    const api = startApp(bundleApp('api'), {
      ...base,
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      JWT_SIGNING_KEYS: generateTokenKeySets().signingKeys,
      MIGRATE_ON_START: 'false',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, api);
      const url = `http://127.0.0.1:${port}`;
      const signUp = await fetch(`${url}/v1/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `bench-${randomUUID()}@example.com`,
          password: 'bench password',
          displayName: 'bench',
        }),
      });
      const { user, accessToken } = (await signUp.json()) as { user: { id: string }; accessToken: string };
      await db.pool.query('INSERT INTO chat_rooms (id, name, created_by) VALUES ($1, $2, $3)', [
        rooms[0],
        'bench',
        user.id,
      ]);
      await db.pool.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [rooms[0], user.id]);
      const secondsEach = num('BENCH_HTTP_SECONDS', 5);
      const concurrency = num('BENCH_HTTP_CONCURRENCY', 32);
      console.log(
        `api GET /v1/users/me (L1 cache): ${await load(`${url}/v1/users/me`, accessToken, secondsEach, concurrency)}`,
      );
      console.log(
        `api GET /v1/rooms/:id/messages?limit=50 (${total / rooms.length} messages in the room): ${await load(
          `${url}/v1/rooms/${rooms[0]}/messages?limit=50`,
          accessToken,
          secondsEach,
          concurrency,
        )}`,
      );
    } finally {
      await stopApp(api);
    }
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
