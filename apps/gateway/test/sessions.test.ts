import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import type { Gateway } from '../src/gateway';
import { TestClient, cleanup, newPrefix, startGateway, testEnv, token } from './support';

/** Sessions that end with their token, heartbeats, and upgrades that must complete in time. */

const prefix = newPrefix('sessions');
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway(
    testEnv(prefix, {
      GATEWAY_TOKEN_WARNING_SECONDS: 2,
      GATEWAY_HEARTBEAT_INTERVAL_MS: 200,
      GATEWAY_HEARTBEAT_MISSED_LIMIT: 2,
      GATEWAY_UPGRADE_TIMEOUT_MS: 500,
    }),
  );
});

afterAll(async () => {
  await gateway.close();
  await cleanup(prefix);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sessions end with their token', () => {
  test('an idle connection is warned before its token expires, then closed with 1008 at expiry', async () => {
    const client = await TestClient.connect(gateway.port, await token(randomUUID(), 4));
    const warning = await client.next((e) => e.type === 'token_expiring', 5000);
    expect(warning.expiresAt).toEqual(expect.any(Number));
    expect(Date.now() / 1000).toBeLessThan(warning.expiresAt as number);
    expect(await client.closed).toBe(1008);
    expect(client.closeReason).toBe('token expired');
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(warning.expiresAt as number);
  }, 10_000);

  test('re-authenticating with a fresh token of the same user keeps the connection past the old expiry', async () => {
    const userId = randomUUID();
    const client = await TestClient.connect(gateway.port, await token(userId, 3));
    const roomId = randomUUID();
    await client.join(roomId);
    await client.next((e) => e.type === 'token_expiring', 5000);
    client.send({ type: 'auth', token: await token(userId, 300) });
    const renewed = await client.next((e) => e.type === 'authenticated');
    expect(renewed.expiresAt as number).toBeGreaterThan(Date.now() / 1000 + 250);
    await sleep(3500);
    expect(client.closeCode).toBeNull();
    client.send({ type: 'send', roomId, clientMsgId: 'after-renewal', content: 'still here' });
    expect(await client.next((e) => e.type === 'ack')).toMatchObject({ clientMsgId: 'after-renewal' });
    client.close();
  }, 10_000);

  test("another user's token or a forged one is refused and the session still ends at its expiry", async () => {
    const client = await TestClient.connect(gateway.port, await token(randomUUID(), 3));
    client.send({ type: 'auth', token: await token(randomUUID(), 300) });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({
      code: 'auth_failed',
      message: expect.stringMatching(/another user/),
    });
    client.send({ type: 'auth', token: 'not.a.jwt' });
    expect(await client.next((e) => e.type === 'error')).toMatchObject({ code: 'auth_failed' });
    expect(await client.closed).toBe(1008);
  }, 10_000);
});

describe('heartbeat', () => {
  async function rawClient(autoPong: boolean): Promise<{ socket: WebSocket; pings: () => number }> {
    let pings = 0;
    const socket = new WebSocket(`ws://127.0.0.1:${gateway.port}/`, {
      headers: { authorization: `Bearer ${await token()}` },
      autoPong,
    });
    socket.on('ping', () => (pings += 1));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return { socket, pings: () => pings };
  }

  const timeouts = async () => (await gateway.metrics.heartbeatTimeouts.get()).values[0]?.value ?? 0;

  test('a peer that answers the pings stays; one that does not is closed and counted', async () => {
    const before = await timeouts();
    const answering = await rawClient(true);
    const silent = await rawClient(false);
    const silentClosed = new Promise<number>((resolve) => silent.socket.once('close', resolve));
    await sleep(1500);
    expect(answering.pings()).toBeGreaterThanOrEqual(3);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    expect(silent.pings()).toBeGreaterThanOrEqual(2);
    expect(await silentClosed).toBe(1006); // terminated: no close frame
    expect(await timeouts()).toBe(before + 1);
    answering.socket.terminate();
  }, 10_000);
});

describe('upgrade timeout', () => {
  /** Resolves with how long the server took to close a raw socket that behaves as `write` says. */
  function closedAfter(write: (socket: import('node:net').Socket) => void): Promise<number> {
    const started = Date.now();
    const socket = connect(gateway.port, '127.0.0.1');
    socket.on('error', () => undefined);
    // Read what the server answers (a 408 when Node's own header timeout fires before the sweep):
    // a paused socket with unread bytes never reports the end that follows them.
    socket.resume();
    socket.once('connect', () => write(socket));
    return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  }

  test('a socket that sends nothing, or trickles its headers, is dropped after the timeout', async () => {
    const [silent, trickling] = await Promise.all([
      closedAfter(() => undefined),
      closedAfter((socket) => {
        socket.write('GET / HTTP/1.1\r\n');
        const timer = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
        socket.once('close', () => clearInterval(timer));
      }),
    ]);
    // 500 ms allowed, checked every 125 ms; far below what either would take otherwise.
    for (const ms of [silent, trickling]) {
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(3000);
    }
  }, 10_000);
});
