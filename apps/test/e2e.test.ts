import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL, type TestDatabase } from './support/databases';
import { roomRequests } from './support/chat-api';
import { request, type HttpRequest, type HttpResponse } from './support/http';
import { bundleApp, freePort, startApp, stopApp, waitForHttp, type AppProcess } from './support/processes';
import { deleteKeysWithPrefix } from './support/redis-cleanup';
import { ChatClient, type GatewayEvent } from './support/ws-client';

/**
 * End to end, as deployed: the API, the worker and two gateway instances run as separate
 * processes from their bundles, against real PostgreSQL and Redis. Users sign up through the
 * API, chat over WebSockets on both gateways, and read the history back through the API.
 */

jest.setTimeout(120_000);

// The API signs with the private set; the gateways verify with the public one only.
const TOKEN_KEYS = generateTokenKeySets();

interface Account {
  readonly id: string;
  readonly token: string;
}

describe('co-talk end to end', () => {
  let db: TestDatabase;
  let redis: Redis;
  let prefix: string;
  const processes: AppProcess[] = [];
  const clients: ChatClient[] = [];
  let apiUrl: string;
  let gatewayPorts: [number, number];

  const api = (req: HttpRequest): Promise<HttpResponse> => request(apiUrl, req);
  const { createRoom, addMember } = roomRequests(api);

  beforeAll(async () => {
    const [apiBundle, workerBundle, gatewayBundle] = [bundleApp('api'), bundleApp('worker'), bundleApp('gateway')];
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    prefix = testKeyPrefix();
    const shared = {
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '5',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    };
    const [apiPort, workerPort, gw1, gw1Http, gw2, gw2Http] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    apiUrl = `http://127.0.0.1:${apiPort}`;
    gatewayPorts = [gw1, gw2];

    const apiProcess = startApp(apiBundle, {
      ...shared,
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      MIGRATE_ON_START: 'false',
      JWT_SIGNING_KEYS: TOKEN_KEYS.signingKeys,
    });
    const worker = startApp(workerBundle, { ...shared, METRICS_PORT: String(workerPort), WORKER_BLOCK_MS: '200' });
    const gateways = [
      [gw1, gw1Http],
      [gw2, gw2Http],
    ].map(([port, httpPort]) =>
      startApp(gatewayBundle, {
        ...shared,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(port),
        GATEWAY_HTTP_PORT: String(httpPort),
        GATEWAY_WORKERS: '1',
        JWT_PUBLIC_KEYS: TOKEN_KEYS.publicKeys,
      }),
    );
    processes.push(apiProcess, worker, ...gateways);
    await Promise.all([
      waitForHttp(`${apiUrl}/readyz`, apiProcess),
      waitForHttp(`http://127.0.0.1:${workerPort}/readyz`, worker),
      waitForHttp(`http://127.0.0.1:${gw1Http}/readyz`, gateways[0]),
      waitForHttp(`http://127.0.0.1:${gw2Http}/readyz`, gateways[1]),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    const exits = await Promise.all(processes.map((p) => stopApp(p)));
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    await db.drop();
    // Every app stops cleanly on SIGTERM.
    expect(exits).toEqual([0, 0, 0, 0]);
  });

  async function signUp(name: string): Promise<Account> {
    const res = await api({
      method: 'POST',
      url: '/v1/auth/sign-up',
      payload: { email: `${name}-${randomUUID()}@example.com`, password: 'a long password', displayName: name },
    });
    expect(res.statusCode).toBe(201);
    return { id: res.json().user.id, token: res.json().accessToken };
  }

  async function connect(account: Account, gateway: 0 | 1, rooms: string[]): Promise<ChatClient> {
    const client = await ChatClient.connect(gatewayPorts[gateway], account.token);
    clients.push(client);
    for (const room of rooms) await client.join(room);
    return client;
  }

  /** `from` says `content` in the room; answers the content of the first message `to` has received. */
  async function relay(from: ChatClient, to: ChatClient, roomId: string, content: string): Promise<string> {
    from.send({ type: 'send', roomId, clientMsgId: randomUUID(), content });
    const [delivered] = await to.waitFor(`delivery of "${content}"`, (e) => e.type === 'message');
    return (delivered.message as { content: string }).content;
  }

  const messagesIn = (client: ChatClient, roomId: string): GatewayEvent[] =>
    client.events.filter((e) => e.type === 'message' && (e.message as { roomId: string }).roomId === roomId);

  it('fans messages out across gateways, stores them once and serves them back through the API', async () => {
    // Given four users and two rooms created through the API
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(signUp));
    const team = await createRoom(alice.token, 'team', [bob.id, carol.id]);
    const pair = await createRoom(dave.token, 'pair', [alice.id]);

    // And WebSocket clients spread over both gateway instances
    const aliceWs = await connect(alice, 0, [team, pair]);
    const bobWs = await connect(bob, 1, [team]);
    const carolWs = await connect(carol, 0, [team]);
    const daveWs = await connect(dave, 1, [pair]);
    // And dave, who is not in the team room, is refused when he tries to join it
    daveWs.send({ type: 'join', roomId: team });
    const [refused] = await daveWs.waitFor('dave refused', (e) => e.type === 'error' && e.ref === team);
    expect(refused.code).toBe('not_a_member');

    // When alice (gateway 1) and bob (gateway 2) talk in the team room and dave in the pair room
    const sent = new Map<string, string>();
    const send = (client: ChatClient, roomId: string, content: string): void => {
      const clientMsgId = randomUUID();
      sent.set(clientMsgId, content);
      client.send({ type: 'send', roomId, clientMsgId, content });
    };
    for (let i = 0; i < 20; i += 1) {
      send(aliceWs, team, `alice says ${i}`);
      send(bobWs, team, `bob says ${i}`);
    }
    for (let i = 0; i < 5; i += 1) send(daveWs, pair, `dave says ${i}`);

    // Then every sender gets an ack per message
    const acks = [
      ...(await aliceWs.waitFor('alice acks', (e) => e.type === 'ack', 20)),
      ...(await bobWs.waitFor('bob acks', (e) => e.type === 'ack', 20)),
      ...(await daveWs.waitFor('dave acks', (e) => e.type === 'ack', 5)),
    ];
    expect(acks.every((a) => a.duplicate === false && sent.has(a.clientMsgId as string))).toBe(true);

    // And every member of a room, on either gateway, receives each of its messages, and only those
    const isMessage = (e: GatewayEvent): boolean => e.type === 'message';
    await aliceWs.waitFor('alice deliveries', isMessage, 45);
    await bobWs.waitFor('bob deliveries', isMessage, 40);
    await carolWs.waitFor('carol deliveries', isMessage, 40);
    await daveWs.waitFor('dave deliveries', isMessage, 5);
    const contents = (events: GatewayEvent[]): string[] =>
      events.map((e) => (e.message as { content: string }).content).sort();
    const teamContents = [...sent.values()].filter((c) => !c.startsWith('dave')).sort();
    for (const client of [aliceWs, bobWs, carolWs]) expect(contents(messagesIn(client, team))).toEqual(teamContents);
    expect(messagesIn(daveWs, team)).toEqual([]);
    expect(contents(messagesIn(aliceWs, pair))).toEqual(contents(messagesIn(daveWs, pair)));
    // One sender's messages keep their order on the way out of one gateway.
    const aliceOrder = messagesIn(carolWs, team)
      .map((e) => (e.message as { content: string }).content)
      .filter((c) => c.startsWith('alice'));
    expect(aliceOrder).toEqual(Array.from({ length: 20 }, (_, i) => `alice says ${i}`));

    // And the worker stores each message exactly once
    await waitUntil('45 messages stored', async () => (await count()) === 45);
    const stored = await db.pool.query('SELECT count(DISTINCT id)::int AS n FROM messages');
    expect(stored.rows[0].n).toBe(45);

    // And the history API pages back exactly what was delivered, newest first
    const history: { id: string; content: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/rooms/${team}/messages?limit=15${cursor ? `&before=${cursor}` : ''}`;
      const page = await api({ method: 'GET', url, token: carol.token });
      expect(page.statusCode).toBe(200);
      history.push(...page.json().messages);
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(history.map((m) => m.content).sort()).toEqual(teamContents);
    const delivered = new Map(messagesIn(carolWs, team).map((e) => [(e.message as { id: string }).id, e.message]));
    for (const m of history) expect(delivered.get(m.id)).toMatchObject({ content: m.content, createdAt: m.createdAt });
    const times = history.map((m) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    // A user outside the room cannot read it.
    expect((await api({ method: 'GET', url: `/v1/rooms/${team}/messages`, token: dave.token })).statusCode).toBe(404);

    // And a resend with the same idempotency key is acknowledged as a duplicate and not stored again
    const [firstAck] = acks.filter((a) => a.clientMsgId === [...sent.keys()][0]);
    aliceWs.send({ type: 'send', roomId: team, clientMsgId: firstAck.clientMsgId, content: 'alice says 0' });
    const [dup] = await aliceWs.waitFor('duplicate ack', (e) => e.type === 'ack' && e.duplicate === true);
    expect(dup.id).toBe(firstAck.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count()).toBe(45);

    // And search finds a stored message in the caller's rooms
    const search = await api({
      method: 'GET',
      url: `/v1/messages/search?q=${encodeURIComponent('"bob says 7"')}`,
      token: carol.token,
    });
    expect(search.json().messages.map((m: { content: string }) => m.content)).toEqual(['bob says 7']);
  });

  it('lets a member added through the API join at once, and a room mirrored before rebuilds on demand', async () => {
    const [ivy, jack] = await Promise.all([signUp('ivy'), signUp('jack')]);
    const room = await createRoom(ivy.token, 'later');
    const jackWs = await connect(jack, 1, []);
    jackWs.send({ type: 'join', roomId: room });
    await jackWs.waitFor('jack refused', (e) => e.type === 'error' && e.code === 'not_a_member' && e.ref === room);
    const add = await addMember(ivy.token, room, jack.id);
    expect(add.statusCode).toBe(201);
    await jackWs.join(room);

    // The mirrored set is gone (a flushed cache cluster): the gateway asks the API, which rebuilds it.
    await redis.del(`${prefix}chat:members:{${room}}`);
    const ivyWs = await connect(ivy, 0, [room]);
    expect(await relay(ivyWs, jackWs, room, 'hello jack')).toBe('hello jack');
    await waitUntil('stored', async () => (await count()) === 46);
  });

  it('keeps garbage frames from hurting anyone: errors come back, the connection and the service stay up', async () => {
    const [erin, frank] = await Promise.all([signUp('erin'), signUp('frank')]);
    const room = await createRoom(erin.token, 'noisy', [frank.id]);
    const erinWs = await connect(erin, 0, [room]);
    const frankWs = await connect(frank, 1, [room]);
    erinWs.send('{not json');
    erinWs.send({ type: 'send', roomId: room, clientMsgId: 'x', content: '' });
    const errors = await erinWs.waitFor('errors', (e) => e.type === 'error', 2);
    expect(errors.map((e) => e.code)).toEqual(['bad_json', 'invalid_frame']);
    expect(await relay(erinWs, frankWs, room, 'still here')).toBe('still here');
    await waitUntil('stored', async () => (await count()) === 47);
  });

  it('serves user info and friend lists from the two cache levels, written through on writes', async () => {
    const [gina, hank] = await Promise.all([signUp('gina'), signUp('hank')]);
    // Sign-up wrote gina's profile through to Redis with the brief's 1-hour TTL.
    const ttl = await redis.ttl(`${prefix}cache:user:{${gina.id}}`);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);

    expect(
      (await api({ method: 'POST', url: '/v1/friends/requests', token: gina.token, payload: { userId: hank.id } }))
        .statusCode,
    ).toBe(201);
    const pending = await api({ method: 'GET', url: '/v1/friends', token: hank.token });
    expect(pending.headers['x-cache']).toBe('l1');
    expect(pending.json().friends).toEqual([{ userId: gina.id, status: 'pending', since: expect.any(String) }]);

    await api({ method: 'POST', url: `/v1/friends/requests/${gina.id}/accept`, token: hank.token });
    // The accept wrote the new lists through: the very next read shows it, from the cache.
    const accepted = await api({ method: 'GET', url: '/v1/friends', token: gina.token });
    expect(accepted.headers['x-cache']).toBe('l1');
    expect(accepted.json().friends).toEqual([{ userId: hank.id, status: 'accepted', since: expect.any(String) }]);
    const inRedis = JSON.parse((await redis.get(`${prefix}cache:friends:{${gina.id}}`)) ?? '[]');
    expect(inRedis).toEqual(accepted.json().friends);

    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(
      Number(/api_cache_lookups_total\{level="l1",service="api"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(2);
  });

  async function count(): Promise<number> {
    return Number((await db.pool.query('SELECT count(*) FROM messages')).rows[0].count);
  }

  async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${processes[1].output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
