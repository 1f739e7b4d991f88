import { TEST_REDIS_URL } from '../../test/support/databases';
import type { PoolClient } from 'pg';
import { MESSAGE_CONSUMER_GROUP, MESSAGE_STREAM_KEY } from '@co-talk/common/chat-message';
import { bundleApp, startApp, type AppProcess } from '../../test/support/processes';
import { useTestStores } from '../../test/support/test-stores';
import { appendMessages, chatMessage, waitFor } from './messages';

/**
 * Fault test: the worker process is killed (SIGKILL, no chance to clean up) in the middle of a
 * batch, then a new process starts. Every message must end in PostgreSQL exactly once.
 */
jest.setTimeout(90_000);

describe('worker killed mid-batch', () => {
  let bundle: string;
  const running: AppProcess[] = [];
  let locker: PoolClient | undefined;
  const t = useTestStores({
    truncate: ['messages'],
    stopWriters: async () => {
      await releaseLock();
      for (const app of running.splice(0)) {
        if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
        await app.exited;
      }
    },
  });

  async function releaseLock(): Promise<void> {
    await locker?.query('ROLLBACK');
    locker?.release();
    locker = undefined;
  }

  const consumers = async (): Promise<string[]> => {
    if ((await t.redis.exists(stream())) === 0) return [];
    const list = (await t.redis.xinfo('CONSUMERS', stream(), MESSAGE_CONSUMER_GROUP)) as string[][];
    return list.map((fields) => fields[fields.indexOf('name') + 1]);
  };

  const stream = (): string => `${t.prefix}${MESSAGE_STREAM_KEY}`;
  const pendingOn = async (consumer: string): Promise<number> => {
    const list = (await t.redis.xinfo('CONSUMERS', stream(), MESSAGE_CONSUMER_GROUP)) as (string | number)[][];
    const fields = list.find((f) => f[f.indexOf('name') + 1] === consumer);
    return fields ? Number(fields[fields.indexOf('pending') + 1]) : 0;
  };
  const pending = async (): Promise<number> =>
    Number(((await t.redis.xpending(stream(), MESSAGE_CONSUMER_GROUP)) as [number])[0]);
  const stats = async (): Promise<{ total: number; distinct: number }> => {
    const { rows } = await t.db.pool.query(
      'SELECT count(*)::int AS total, count(DISTINCT id)::int AS distinct FROM messages',
    );
    return rows[0];
  };

  function startWorkerProcess(consumer: string, extra: Record<string, string> = {}): AppProcess {
    const app = startApp(bundle, {
      DATABASE_URL: t.db.url,
      DATABASE_POOL_MAX: '4',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: t.prefix,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      WORKER_CONSUMER_NAME: consumer,
      WORKER_BATCH_SIZE: '100',
      WORKER_BLOCK_MS: '100',
      // Claiming runs with the defaults: their recovery time is what these tests hold to.
      ...extra,
    });
    running.push(app);
    return app;
  }

  async function kill(app: AppProcess): Promise<void> {
    app.child.kill('SIGKILL');
    expect(await app.exited).toBe('SIGKILL');
  }

  beforeAll(() => {
    bundle = bundleApp('worker');
  });

  it('stores every message exactly once when killed between reading and storing a batch', async () => {
    const messages = Array.from({ length: 400 }, () => chatMessage());
    // Some were stored by an earlier process whose XACK never happened: their redelivery must be harmless.
    const storedBefore = messages.slice(0, 50);
    await t.db.pool.query(
      `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])`,
      ['id', 'roomId', 'senderId', 'clientMsgId', 'content', 'createdAt'].map((field) =>
        storedBefore.map((m) => m[field as keyof typeof m]),
      ),
    );

    // Given a running worker whose INSERT is held by a table lock, so it is caught holding a read batch
    const first = startWorkerProcess('worker-a');
    await waitFor('the worker reading', async () => (await consumers()).includes('worker-a'));
    locker = await t.db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages IN EXCLUSIVE MODE');
    await appendMessages(t.redis, t.prefix, messages);
    await waitFor('a batch read and not yet stored', async () => (await pending()) > 0);

    // When it is killed mid-batch and the lock goes away
    await kill(first);
    await releaseLock();
    expect(await stats()).toEqual({ total: 50, distinct: 50 });
    expect(await pending()).toBeGreaterThan(0);

    // Then a new worker reclaims the dead one's entries and stores everything exactly once
    const second = startWorkerProcess('worker-b');
    await waitFor(
      `all 400 stored (output: ${second.output()})`,
      async () => (await stats()).total >= 400 && (await pending()) === 0,
      20_000,
    );
    expect(await stats()).toEqual({ total: 400, distinct: 400 });
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM messages');
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(messages.map((m) => m.id)));

    // And a SIGTERM stops it cleanly
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('has every message in history within 5 s of a crash, taken over by a standby worker', async () => {
    const messages = Array.from({ length: 300 }, () => chatMessage());
    // Given a worker caught holding a batch (its INSERT waits on a table lock) and a standby
    // (which may hold one too: it is stalled by the same lock)
    const first = startWorkerProcess('worker-crashing');
    const standby = startWorkerProcess('worker-standby');
    await waitFor('both reading', async () => (await consumers()).length === 2);
    locker = await t.db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages IN EXCLUSIVE MODE');
    await appendMessages(t.redis, t.prefix, messages);
    await waitFor('a batch held by the first worker', async () => (await pendingOn('worker-crashing')) > 0);
    expect(await stats()).toEqual({ total: 0, distinct: 0 });

    // When the worker holding them dies (and its INSERT with it)
    await kill(first);
    const crashedAt = Date.now();
    await releaseLock();

    // Then the standby has stored them all within 5 s
    await waitFor(
      `all 300 stored (output: ${standby.output()})`,
      async () => (await stats()).total === 300 && (await pending()) === 0,
      5_000,
    );
    const recoveryMs = Date.now() - crashedAt;
    expect(recoveryMs).toBeLessThan(5_000);
    expect(await stats()).toEqual({ total: 300, distinct: 300 });
  });

  it('stores every message exactly once when killed repeatedly while messages flow', async () => {
    const messages = Array.from({ length: 3000 }, () => chatMessage());
    let worker = startWorkerProcess('worker-1', { WORKER_BATCH_SIZE: '50' });
    const appending = (async () => {
      for (let i = 0; i < messages.length; i += 250)
        await appendMessages(t.redis, t.prefix, messages.slice(i, i + 250));
    })();
    for (let round = 2; round <= 4; round += 1) {
      const target = round * 500;
      await waitFor(`${target} stored`, async () => (await stats()).total >= target, 20_000);
      await kill(worker);
      worker = startWorkerProcess(`worker-${round}`, { WORKER_BATCH_SIZE: '50' });
    }
    await appending;
    await waitFor(
      `all 3000 stored (output: ${worker.output()})`,
      async () => (await stats()).total >= 3000 && (await pending()) === 0,
      30_000,
    );
    expect(await stats()).toEqual({ total: 3000, distinct: 3000 });
  });
});
