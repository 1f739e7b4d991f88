import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startApi } from '../src/api';
import { withTransaction } from '../src/transaction';
import { createTestDatabase, TEST_REDIS_URL } from '../../test/support/databases';
import { roomRequests } from '../../test/support/chat-api';
import { request, type HttpResponse } from '../../test/support/http';
import { apiTestEnv } from './test-env';
import { useTestApi } from './test-api';

jest.setTimeout(60_000);

describe('api against real PostgreSQL and Redis', () => {
  const t = useTestApi();
  const { call } = t;
  const { createRoom, addMember } = roomRequests(call);

  async function signUp(name = 'user'): Promise<{ id: string; token: string; email: string }> {
    const email = `${name}-${randomUUID()}@example.com`;
    const res = await call({
      method: 'POST',
      url: '/v1/auth/sign-up',
      payload: { email, password: 'long enough password', displayName: name },
    });
    expect(res.statusCode).toBe(201);
    return { id: res.json().user.id, token: res.json().accessToken, email };
  }

  async function insertMessages(
    roomId: string,
    senderId: string,
    count: number,
    start = Date.UTC(2026, 10, 1),
  ): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await t.db.pool.query(
      `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
       SELECT id, $2, $3, id::text, 'message number ' || n, $4::timestamptz + n * interval '1 second'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, roomId, senderId, new Date(start).toISOString()],
    );
    return ids;
  }

  describe('accounts', () => {
    it('signs up, signs in and answers /users/me', async () => {
      const alice = await signUp('alice');
      const signIn = await call({
        method: 'POST',
        url: '/v1/auth/sign-in',
        payload: { email: alice.email.toUpperCase(), password: 'long enough password' },
      });
      expect(signIn.statusCode).toBe(200);
      const me = await call({ method: 'GET', url: '/v1/users/me', token: signIn.json().accessToken });
      expect(me.json()).toMatchObject({ id: alice.id, email: alice.email, displayName: 'alice' });
      const stored = await t.db.pool.query('SELECT password_hash FROM users WHERE id = $1', [alice.id]);
      expect(stored.rows[0].password_hash).toMatch(/^scrypt\$/);
    });

    it('refuses a wrong password and an unknown email alike', async () => {
      const bob = await signUp('bob');
      for (const payload of [
        { email: bob.email, password: 'wrong password!!' },
        { email: 'nobody@example.com', password: 'long enough password' },
      ]) {
        const res = await call({ method: 'POST', url: '/v1/auth/sign-in', payload });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'unauthorized', message: 'email or password is wrong' });
      }
    });

    it('refuses a second account with the same email', async () => {
      const carol = await signUp('carol');
      const res = await call({
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: { email: carol.email, password: 'another password', displayName: 'carol2' },
      });
      expect(res.statusCode).toBe(409);
    });

    it('refuses requests without a valid token', async () => {
      expect((await call({ method: 'GET', url: '/v1/users/me' })).json()).toEqual({
        error: 'unauthorized',
        message: 'missing bearer token',
      });
      const forged = await call({ method: 'GET', url: '/v1/users/me', token: 'a.b.c' });
      expect(forged.statusCode).toBe(401);
    });

    it('shows others a public profile without the email', async () => {
      const [dave, erin] = [await signUp('dave'), await signUp('erin')];
      const res = await call({ method: 'GET', url: `/v1/users/${erin.id}`, token: dave.token });
      expect(res.json()).toEqual({ id: erin.id, displayName: 'erin', createdAt: expect.any(String) });
    });
  });

  describe('bad input', () => {
    it.each([
      [{ password: 'long enough password', displayName: 'x' }, 'body.email', /must have required property 'email'/],
      [
        { email: 'not-an-email', password: 'long enough password', displayName: 'x' },
        'body.email',
        /must match format "email"/,
      ],
      [
        { email: 'a@example.com', password: 'short', displayName: 'x' },
        'body.password',
        /must NOT have fewer than 8 characters/,
      ],
      [
        { email: 'a@example.com', password: 'long enough password', displayName: 'x', admin: true },
        'body.admin',
        /is not a known field/,
      ],
    ])('sign-up %j gets a 400 naming %s', async (payload, field, reason) => {
      const res = await call({ method: 'POST', url: '/v1/auth/sign-up', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bad_request', field, message: expect.stringMatching(reason) });
      expect(res.json().message.startsWith(`${field}: `)).toBe(true);
    });

    it.each([
      ['PATCH', '/v1/users/me', { displayName: 'nul\u0000byte' }, 'body.displayName'],
      ['PATCH', '/v1/users/me', { displayName: 'lone \ud83d surrogate' }, 'body.displayName'],
      ['POST', '/v1/rooms', { name: 'room\u0000' }, 'body.name'],
      ['GET', `/v1/messages/search?q=${encodeURIComponent('a\u0000b')}`, undefined, 'querystring.q'],
      ['GET', '/v1/messages/search?q=a&limit=1e400', undefined, 'querystring.limit'],
      ['GET', `/v1/rooms/urn:uuid:${randomUUID()}`, undefined, 'params.roomId'],
    ])('%s %s with text PostgreSQL cannot store gets a 400 naming %s', async (method, url, payload, field) => {
      const user = await signUp();
      const res = await call({ method, url: url as string, payload, token: user.token });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', field });
      expect(res.json().message.startsWith(`${field}: `)).toBe(true);
    });

    it('answers a forged history cursor with a 400 naming querystring.before', async () => {
      const user = await signUp();
      const roomId = await createRoom(user.token, 'r');
      const forged = Buffer.from(JSON.stringify(['2026-02-31T00:00:00Z', randomUUID()])).toString('base64url');
      const res = await call({
        method: 'GET',
        url: `/v1/rooms/${roomId}/messages?before=${forged}`,
        token: user.token,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'bad_request',
        field: 'querystring.before',
        message: 'querystring.before: is not a cursor returned by this API',
      });
    });

    it('names the allowed values of an enum', async () => {
      const user = await signUp();
      const res = await call({ method: 'GET', url: '/v1/friends?status=best', token: user.token });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe(
        'querystring.status: must be equal to one of the allowed values (allowed: requested, pending, accepted)',
      );
    });

    it('answers malformed JSON with a 400 and no stack trace', async () => {
      const res = await call({
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: '{"email": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/);
    });

    it('refuses oversized bodies', async () => {
      const res = await call({
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: { email: 'a@example.com', password: 'x'.repeat(100_000), displayName: 'x' },
      });
      expect(res.statusCode).toBe(413);
    });

    it('answers unknown routes with a 404', async () => {
      const res = await call({ method: 'GET', url: '/v1/nothing-here?x=1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', message: 'no route GET /v1/nothing-here' });
    });
  });

  describe('friends, cached in two levels', () => {
    it('requests and accepts, writing both lists through to L1 and L2', async () => {
      const [frank, grace] = [await signUp('frank'), await signUp('grace')];
      const request = await call({
        method: 'POST',
        url: '/v1/friends/requests',
        token: frank.token,
        payload: { userId: grace.id },
      });
      expect(request.statusCode).toBe(201);
      // Written through on the request: the lists are in Redis before anyone reads them.
      const l2 = JSON.parse((await t.redis.get(`${t.prefix}cache:friends:{${grace.id}}`)) ?? 'null');
      expect(l2).toEqual([{ userId: frank.id, status: 'pending', since: expect.any(String) }]);

      const pending = await call({ method: 'GET', url: '/v1/friends?status=pending', token: grace.token });
      expect(pending.headers['x-cache']).toBe('l1');
      expect(pending.json().friends).toEqual([{ userId: frank.id, status: 'pending', since: expect.any(String) }]);

      const accept = await call({ method: 'POST', url: `/v1/friends/requests/${frank.id}/accept`, token: grace.token });
      expect(accept.statusCode).toBe(200);
      const franks = await call({ method: 'GET', url: '/v1/friends', token: frank.token });
      expect(franks.headers['x-cache']).toBe('l1');
      expect(franks.json().friends).toEqual([{ userId: grace.id, status: 'accepted', since: expect.any(String) }]);

      expect(
        (await call({ method: 'POST', url: '/v1/friends/requests', token: frank.token, payload: { userId: grace.id } }))
          .statusCode,
      ).toBe(409);
      expect(
        (await call({ method: 'POST', url: `/v1/friends/requests/${frank.id}/accept`, token: grace.token })).statusCode,
      ).toBe(404);
      expect(
        (
          await call({ method: 'POST', url: '/v1/friends/requests', token: frank.token, payload: { userId: frank.id } })
        ).json(),
      ).toEqual({
        error: 'bad_request',
        field: 'body.userId',
        message: 'body.userId: must be another user',
      });
    });

    it('fills L2 and L1 from the database on a miss, L2 with the one-hour TTL of the brief', async () => {
      const henry = await signUp('henry');
      const key = `${t.prefix}cache:friends:{${henry.id}}`;
      // A fresh API instance has an empty L1; emptying L2 forces the database.
      const other = await startApi(apiTestEnv(t.db.url, t.prefix));
      try {
        await t.redis.del(key);
        const get = (): Promise<HttpResponse> =>
          request(`http://127.0.0.1:${other.port}`, { method: 'GET', url: '/v1/friends', token: henry.token });
        expect((await get()).headers['x-cache']).toBe('db');
        expect((await get()).headers['x-cache']).toBe('l1');
        const ttl = await t.redis.ttl(key);
        expect(ttl).toBeGreaterThan(3500);
        expect(ttl).toBeLessThanOrEqual(3600);
      } finally {
        await other.stop();
      }
      const third = await startApi(apiTestEnv(t.db.url, t.prefix));
      try {
        const res = await request(`http://127.0.0.1:${third.port}`, {
          method: 'GET',
          url: '/v1/friends',
          token: henry.token,
        });
        expect(res.headers['x-cache']).toBe('l2');
      } finally {
        await third.stop();
      }
    });

    it('writes a profile change through to L2', async () => {
      const ivy = await signUp('ivy');
      const res = await call({
        method: 'PATCH',
        url: '/v1/users/me',
        token: ivy.token,
        payload: { displayName: 'Ivy' },
      });
      expect(res.json().displayName).toBe('Ivy');
      const cached = JSON.parse((await t.redis.get(`${t.prefix}cache:user:{${ivy.id}}`)) ?? '{}');
      expect(cached.displayName).toBe('Ivy');
    });
  });

  describe('room membership mirrored for the gateway', () => {
    const membersOf = (roomId: string): Promise<string[]> =>
      t.redis.smembers(`${t.prefix}chat:members:{${roomId}}`).then((m) => m.sort());

    /** A new room of an owner and one member. */
    async function roomOfTwo() {
      const [owner, member] = [await signUp('owner'), await signUp('member')];
      return { owner, member, roomId: await createRoom(owner.token, 'r', [member.id]) };
    }

    it('writes every membership change through to the room set, marker included', async () => {
      const { owner, member, roomId } = await roomOfTwo();
      const later = await signUp('later');
      expect(await membersOf(roomId)).toEqual(['*', owner.id, member.id].sort());
      await addMember(member.token, roomId, later.id);
      expect(await membersOf(roomId)).toContain(later.id);
      await call({ method: 'DELETE', url: `/v1/rooms/${roomId}/members/${member.id}`, token: owner.token });
      expect(await membersOf(roomId)).toEqual(['*', owner.id, later.id].sort());
    });

    it('announces a removal so the gateways drop the removed member from the room at once', async () => {
      const { owner, member, roomId } = await roomOfTwo();
      const subscriber = new Redis(TEST_REDIS_URL);
      const notices: unknown[] = [];
      subscriber.on('message', (_channel: string, json: string) => notices.push(JSON.parse(json)));
      await subscriber.subscribe(`${t.prefix}chat:members:removed`);
      try {
        await call({ method: 'DELETE', url: `/v1/rooms/${roomId}/members/${member.id}`, token: owner.token });
        const deadline = Date.now() + 2000;
        while (notices.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(notices).toEqual([{ roomId, userId: member.id }]);
      } finally {
        subscriber.disconnect();
      }
    });

    it('rebuilds a missing set from the database when the gateway asks', async () => {
      const { owner, member, roomId } = await roomOfTwo();
      await t.redis.del(`${t.prefix}chat:members:{${roomId}}`);
      // What the gateway does on a miss.
      await t.redis.rpush(`${t.prefix}chat:members:rebuild`, roomId);
      const deadline = Date.now() + 10_000;
      while ((await membersOf(roomId)).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(await membersOf(roomId)).toEqual(['*', owner.id, member.id].sort());
    });

    it('a request for a room that does not exist leaves a marker-only set that expires', async () => {
      const roomId = randomUUID();
      await t.redis.rpush(`${t.prefix}chat:members:rebuild`, roomId);
      const key = `${t.prefix}chat:members:{${roomId}}`;
      const deadline = Date.now() + 10_000;
      while ((await t.redis.exists(key)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await t.redis.smembers(key)).toEqual(['*']);
      expect(await t.redis.ttl(key)).toBeGreaterThan(0);
    });
  });

  describe('rooms and history', () => {
    it('creates a room, manages members and hides it from non-members', async () => {
      const [owner, member, outsider] = [await signUp('owner'), await signUp('member'), await signUp('outsider')];
      const created = await call({
        method: 'POST',
        url: '/v1/rooms',
        token: owner.token,
        payload: { name: 'general', memberIds: [member.id] },
      });
      expect(created.statusCode).toBe(201);
      const roomId = created.json().id;
      const members = await call({ method: 'GET', url: `/v1/rooms/${roomId}/members`, token: member.token });
      expect(
        members
          .json()
          .members.map((m: { userId: string; role: string }) => [m.userId, m.role])
          .sort(),
      ).toEqual(
        [
          [owner.id, 'owner'],
          [member.id, 'member'],
        ].sort(),
      );
      expect((await call({ method: 'GET', url: `/v1/rooms/${roomId}`, token: outsider.token })).statusCode).toBe(404);
      expect(
        (await call({ method: 'GET', url: '/v1/rooms', token: member.token }))
          .json()
          .rooms.map((r: { id: string }) => r.id),
      ).toEqual([roomId]);

      const add = await addMember(member.token, roomId, outsider.id);
      expect(add.statusCode).toBe(201);
      const kick = await call({
        method: 'DELETE',
        url: `/v1/rooms/${roomId}/members/${owner.id}`,
        token: member.token,
      });
      expect(kick.statusCode).toBe(403);
      const leave = await call({
        method: 'DELETE',
        url: `/v1/rooms/${roomId}/members/${outsider.id}`,
        token: outsider.token,
      });
      expect(leave.statusCode).toBe(204);

      const ghost = await call({
        method: 'POST',
        url: '/v1/rooms',
        token: owner.token,
        payload: { name: 'x', memberIds: [randomUUID()] },
      });
      expect(ghost.json()).toMatchObject({ error: 'bad_request', field: 'body.memberIds' });
    });

    it('pages through history newest first without gaps or repeats', async () => {
      const owner = await signUp('pager');
      const roomId = await createRoom(owner.token, 'history');
      const ids = await insertMessages(roomId, owner.id, 125);
      // Two messages in the same microsecond: the id breaks the tie.
      const twins = [randomUUID(), randomUUID()];
      await t.db.pool.query(
        `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
         SELECT id, $2, $3, id::text, 'twin', '2026-11-01T00:01:00.5Z' FROM unnest($1::uuid[]) AS id`,
        [twins, roomId, owner.id],
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/rooms/${roomId}/messages?limit=50${cursor ? `&before=${cursor}` : ''}`;
        const res = await call({ method: 'GET', url, token: owner.token });
        expect(res.statusCode).toBe(200);
        seen.push(...res.json().messages.map((m: { id: string }) => m.id));
        cursor = res.json().nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(127);
      expect(new Set(seen)).toEqual(new Set([...ids, ...twins]));
      expect(seen[0]).toBe(ids[ids.length - 1]);
      const bad = await call({ method: 'GET', url: `/v1/rooms/${roomId}/messages?limit=500`, token: owner.token });
      expect(bad.json().field).toBe('querystring.limit');
    });

    it('searches the caller’s rooms with PostgreSQL full-text search', async () => {
      const [a, b] = [await signUp('searcher'), await signUp('stranger')];
      const mine = await createRoom(a.token, 'mine');
      const theirs = await createRoom(b.token, 'theirs');
      await t.db.pool.query(
        `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at) VALUES
         (gen_random_uuid(), $1, $3, 'a', 'the quick brown fox', now()),
         (gen_random_uuid(), $1, $3, 'b', 'lazy dogs sleep', now()),
         (gen_random_uuid(), $2, $4, 'c', 'a quick secret', now())`,
        [mine, theirs, a.id, b.id],
      );
      const res = await call({ method: 'GET', url: '/v1/messages/search?q=quick', token: a.token });
      expect(res.json()).toEqual({
        backend: 'postgres',
        messages: [expect.objectContaining({ content: 'the quick brown fox', roomId: mine })],
      });
      const other = await call({ method: 'GET', url: `/v1/messages/search?q=quick&roomId=${theirs}`, token: a.token });
      expect(other.statusCode).toBe(404);
    });
  });

  describe('operations', () => {
    it('serves probes, metrics and the OpenAPI document over HTTP', async () => {
      const base = `http://127.0.0.1:${t.api.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/api_http_request_duration_seconds_bucket\{.*route="\/v1\/auth\/sign-up"/);
      expect(metrics).toMatch(/api_cache_lookups_total\{level="l1",service="api"\} \d+/);
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/auth/sign-up',
          '/v1/rooms/{roomId}/messages',
          '/v1/messages/search',
          '/v1/friends/requests',
        ]),
      );
      expect(doc.paths['/metrics']).toBeUndefined();
    });

    it('reports not ready while a dependency is unreachable, and stays alive', async () => {
      const broken = await startApi(apiTestEnv(t.db.url, t.prefix, { REDIS_URL: 'redis://127.0.0.1:1' }));
      try {
        const base = `http://127.0.0.1:${broken.port}`;
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(503);
      } finally {
        await broken.stop().catch(() => undefined);
      }
    });

    it('sends replica-safe reads to DATABASE_READER_URL and writes to DATABASE_URL', async () => {
      // A second database stands in for the replica; a row only it has shows where a read went.
      const replica = await createTestDatabase();
      const split = await startApi(apiTestEnv(t.db.url, t.prefix, { DATABASE_READER_URL: replica.url }));
      try {
        const base = `http://127.0.0.1:${split.port}`;
        const signUp = await request(base, {
          method: 'POST',
          url: '/v1/auth/sign-up',
          payload: { email: `split-${randomUUID()}@example.com`, password: 'long enough password', displayName: 's' },
        });
        const { user, accessToken } = signUp.json();
        expect((await t.db.pool.query('SELECT 1 FROM users WHERE id = $1', [user.id])).rowCount).toBe(1);
        expect((await replica.pool.query('SELECT 1 FROM users WHERE id = $1', [user.id])).rowCount).toBe(0);
        await replica.pool.query(
          "INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, 'r@example.com', 'r', 'x')",
          [user.id],
        );
        const room = await replica.pool.query(
          "INSERT INTO chat_rooms (name, created_by) VALUES ('only on the replica', $1) RETURNING id",
          [user.id],
        );
        await replica.pool.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [
          room.rows[0].id,
          user.id,
        ]);
        const rooms = await request(base, { method: 'GET', url: '/v1/rooms', token: accessToken });
        expect(rooms.json().rooms.map((r: { name: string }) => r.name)).toEqual(['only on the replica']);
      } finally {
        await split.stop();
        await replica.drop();
      }
    });

    it('commits a transaction whose work resolves, rolls back one that throws, and returns the connection', async () => {
      const idle = (): number => t.db.pool.idleCount + t.db.pool.waitingCount;
      await t.db.pool.query('CREATE TABLE tx_probe (n int)');
      const before = t.db.pool.totalCount;
      await expect(
        withTransaction(t.db.pool, async (client) => {
          await client.query('INSERT INTO tx_probe VALUES (1)');
          return 'done';
        }),
      ).resolves.toBe('done');
      await expect(
        withTransaction(t.db.pool, async (client) => {
          await client.query('INSERT INTO tx_probe VALUES (2)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await t.db.pool.query('SELECT n FROM tx_probe')).rows).toEqual([{ n: 1 }]);
      expect(t.db.pool.totalCount).toBeLessThanOrEqual(Math.max(before, 1) + 1);
      expect(idle()).toBe(t.db.pool.totalCount);
      await t.db.pool.query('DROP TABLE tx_probe');
    });

    it('has the brief’s two indexes and monthly partitions in the database', async () => {
      const { rows } = await t.db.pool.query<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE indexname IN ('idx_messages_room_time', 'idx_friends_user_status') ORDER BY indexname",
      );
      expect(rows.map((r) => r.indexdef)).toEqual([
        'CREATE INDEX idx_friends_user_status ON public.friends USING btree (user_id, status) INCLUDE (friend_id)',
        'CREATE INDEX idx_messages_room_time ON ONLY public.messages USING btree (chat_room_id, created_at DESC) INCLUDE (sender_id, content)',
      ]);
      const strategy = await t.db.pool.query(
        "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'messages'::regclass",
      );
      expect(strategy.rows).toEqual([{ partstrat: 'r' }]);
    });
  });
});
