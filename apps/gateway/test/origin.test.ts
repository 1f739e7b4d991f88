import { WebSocket } from 'ws';
import { allowedOriginsEnvShape, loadEnv } from '@co-talk/common';
import type { Gateway } from '../src/gateway';
import { cleanup, newPrefix, startGateway, testEnv, token } from './support';

jest.setTimeout(30_000);

/** The upgrade's outcome: 101, or the status the gateway refused with. */
function upgrade(url: string, headers: Record<string, string>, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('Origin on the upgrade', () => {
  const prefix = newPrefix('origin');
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    const { ALLOWED_ORIGINS } = loadEnv(allowedOriginsEnvShape, {
      ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:*',
    });
    gateway = await startGateway(testEnv(prefix, { ALLOWED_ORIGINS }));
    url = `ws://127.0.0.1:${gateway.port}`;
  });

  afterAll(async () => {
    await gateway.close();
    await cleanup(prefix);
  });

  it('accepts an allowed origin (a browser: token as subprotocol) and no origin (a native client)', async () => {
    const t = await token();
    expect(await upgrade(url, { origin: 'https://app.example.com' }, ['bearer', t])).toBe(101);
    expect(await upgrade(url, { origin: 'http://localhost:5173' }, ['bearer', t])).toBe(101);
    expect(await upgrade(url, { authorization: `Bearer ${t}` })).toBe(101);
  });

  it('refuses a foreign origin with 403, before looking at the token', async () => {
    const t = await token();
    for (const origin of ['https://evil.example', 'http://app.example.com', 'null']) {
      expect({ origin, status: await upgrade(url, { origin }, ['bearer', t]) }).toEqual({ origin, status: 403 });
    }
    expect(await upgrade(url, { origin: 'https://evil.example' })).toBe(403);
    const metrics = await gateway.registry.getSingleMetricAsString('gateway_upgrades_total');
    expect(metrics).toMatch(/result="bad_origin",service="gateway"} 4/);
  });
});
