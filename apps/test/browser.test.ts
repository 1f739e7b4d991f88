import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase, testKeyPrefix, TEST_REDIS_URL, type TestDatabase } from './support/databases';
import { freePort } from './support/processes';
import { deleteKeysWithPrefix } from './support/redis-cleanup';

/**
 * A real browser against the apps as `npm run dev` runs them: headless Chromium (Debian's
 * `chromium`; `.ci/run` installs it) loads a page from another origin than the API and the
 * gateway, and does what a web client does with the browser's own fetch (CORS preflights
 * included) and native WebSocket (token as the `bearer` subprotocol, `Origin` checked).
 */

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts `npm run dev`'s script on the given ports; resolves once it prints its ready line. */
function startDev(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [join(__dirname, '../scripts/dev.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev was not ready in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('[dev] ready:')) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run dev exited (${code}):\n${output}`));
    });
  });
}

/** What the page defines on its window; the test's callbacks run in the page, where `window` is real. */
interface PageApi {
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  connect(token: string): Promise<void>;
  send(frame: unknown): void;
  events: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  waitFor(type: string, match?: Record<string, unknown>): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
declare const window: PageApi;

/** The page a web client would serve: helpers only, every call made by the browser itself. */
function pageHtml(apiBase: string, gatewayUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>co-talk</title></head><body><script>
const API = ${JSON.stringify(apiBase)};
const GATEWAY = ${JSON.stringify(gatewayUrl)};
window.events = [];
window.api = async (method, path, body, token) => {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
let socket;
window.connect = (token) => new Promise((resolve, reject) => {
  socket = new WebSocket(GATEWAY, ['bearer', token]);
  socket.onopen = () => resolve();
  socket.onerror = () => reject(new Error('websocket failed'));
  socket.onmessage = (e) => { for (const event of JSON.parse(e.data)) window.events.push(event); };
});
window.send = (frame) => socket.send(JSON.stringify(frame));
window.waitFor = (type, match = {}) => new Promise((resolve, reject) => {
  const started = Date.now();
  const check = () => {
    const found = window.events.find((e) => e.type === type &&
      Object.entries(match).every(([k, v]) => JSON.stringify(e[k] ?? e.message?.[k]) === JSON.stringify(v)));
    if (found) return resolve(found);
    if (Date.now() - started > 15000) return reject(new Error('no ' + type + ' in ' + JSON.stringify(window.events)));
    setTimeout(check, 20);
  };
  check();
});
</script></body></html>`;
}

describe('a browser client on another origin', () => {
  let db: TestDatabase;
  let redis: Redis;
  let prefix: string;
  let dev: { child: ChildProcess; output: () => string };
  let pageServer: Server;
  let browser: Browser;
  let pageUrl: string;
  let apiPort: number;
  let gatewayPort: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    prefix = testKeyPrefix();
    [apiPort, gatewayPort] = [await freePort(), await freePort()];
    const [gatewayHttpPort, workerPort, pagePort] = [await freePort(), await freePort(), await freePort()];
    const keys = generateTokenKeySets();
    dev = await startDev({
      DEV_DATABASE_NAME: db.name,
      REDIS_KEY_PREFIX: prefix,
      // A key set of this run: the API signs with its private half, the gateway verifies with the public one.
      JWT_SIGNING_KEYS: keys.signingKeys,
      JWT_PUBLIC_KEYS: keys.publicKeys,
      LOG_LEVEL: 'warn',
      DEV_API_PORT: String(apiPort),
      DEV_GATEWAY_PORT: String(gatewayPort),
      DEV_GATEWAY_HTTP_PORT: String(gatewayHttpPort),
      DEV_WORKER_PORT: String(workerPort),
    });
    // The page comes from http://localhost:<pagePort>; the API and the gateway are on 127.0.0.1.
    const html = pageHtml(`http://127.0.0.1:${apiPort}`, `ws://127.0.0.1:${gatewayPort}`);
    pageServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => pageServer.listen(pagePort, '127.0.0.1', resolve));
    pageUrl = `http://localhost:${pagePort}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  // Whatever beforeAll got to: a setup that stopped early (no Chromium) must not hang here.
  afterAll(async () => {
    await browser?.close();
    if (pageServer) await new Promise((resolve) => pageServer.close(resolve));
    if (dev) {
      const exited = new Promise((resolve) => dev.child.once('exit', resolve));
      dev.child.kill('SIGTERM');
      await exited;
    }
    if (redis) {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
    await db?.drop();
  });

  async function openPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(pageUrl);
    return page;
  }

  it('signs up, signs in, chats over the native WebSocket and reads history', async () => {
    const alice = await openPage();
    const bob = await openPage();
    const password = 'a long enough password';
    const email = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

    // Sign-up and sign-in: JSON posts, so the browser sends a CORS preflight first.
    const aliceEmail = email('alice');
    const aliceUp = await alice.evaluate(
      ([e, p]) => window.api('POST', '/v1/auth/sign-up', { email: e, password: p, displayName: 'alice' }),
      [aliceEmail, password],
    );
    expect(aliceUp.status).toBe(201);
    const aliceIn = await alice.evaluate(
      ([e, p]) => window.api('POST', '/v1/auth/sign-in', { email: e, password: p }),
      [aliceEmail, password],
    );
    expect(aliceIn.status).toBe(200);
    const aliceToken: string = aliceIn.body.accessToken;
    const bobUp = await bob.evaluate(
      ([e, p]) => window.api('POST', '/v1/auth/sign-up', { email: e, password: p, displayName: 'bob' }),
      [email('bob'), password],
    );
    expect(bobUp.status).toBe(201);
    const bobToken: string = bobUp.body.accessToken;

    const room = await alice.evaluate(
      ([t, member]) => window.api('POST', '/v1/rooms', { name: 'browsers', memberIds: [member] }, t),
      [aliceToken, bobUp.body.user.id],
    );
    expect(room.status).toBe(201);
    const roomId: string = room.body.id;

    for (const [page, token] of [
      [alice, aliceToken],
      [bob, bobToken],
    ] as const) {
      await page.evaluate((t) => window.connect(t), token);
      await page.evaluate((r) => window.send({ type: 'join', roomId: r }), roomId);
      await page.evaluate((r) => window.waitFor('joined', { roomId: r }), roomId);
    }

    await bob.evaluate(
      (r) => window.send({ type: 'send', roomId: r, clientMsgId: 'b-1', content: 'hello from bob' }),
      roomId,
    );
    const received = await alice.evaluate(() => window.waitFor('message', { clientMsgId: 'b-1' }));
    expect(received.message).toMatchObject({ roomId, senderId: bobUp.body.user.id, content: 'hello from bob' });
    const ack = await bob.evaluate(() => window.waitFor('ack', { clientMsgId: 'b-1' }));
    expect(ack.id).toBe(received.message.id);

    // History: the worker stores the message moments after the ack.
    let history: { status: number; body: { messages: { id: string; content: string }[] } } | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      history = await alice.evaluate(
        ([t, r]) => window.api('GET', `/v1/rooms/${r}/messages?limit=10`, undefined, t),
        [aliceToken, roomId],
      );
      if (history.status === 200 && history.body.messages.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(history?.status).toBe(200);
    expect(history?.body.messages.map((m) => [m.id, m.content])).toEqual([[received.message.id, 'hello from bob']]);
  });

  it('cannot be used from a page on an origin that is not allowed', async () => {
    // Another origin than the allowed local ones: the browser blocks the response (no CORS header)
    // and the gateway refuses the upgrade with 403.
    const evil = await (await browser.newContext()).newPage();
    await evil.route('http://evil.test/', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: pageHtml(`http://127.0.0.1:${apiPort}`, `ws://127.0.0.1:${gatewayPort}`),
      }),
    );
    await evil.goto('http://evil.test/');
    // A valid token (signed up from outside the browser), so only the origin can explain a refusal.
    const signUp = await fetch(`http://127.0.0.1:${apiPort}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `eve-${Date.now()}@example.com`,
        password: 'a long enough password',
        displayName: 'eve',
      }),
    });
    const { accessToken } = (await signUp.json()) as { accessToken: string };
    const outcome = await evil.evaluate(async (token) => {
      const rest = await window
        .api('POST', '/v1/auth/sign-in', { email: 'x@example.com', password: 'whatever123' })
        .then(
          () => 'answered',
          () => 'blocked',
        );
      const ws = await window.connect(token).then(
        () => 'opened',
        () => 'refused',
      );
      return { rest, ws };
    }, accessToken);
    expect(outcome).toEqual({ rest: 'blocked', ws: 'refused' });
  });
});
