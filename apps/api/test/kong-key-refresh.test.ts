import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvError } from '@co-talk/common/env';
import { generateTokenKeySets } from '@co-talk/common/jwt';
import { parse, stringify } from 'yaml';
import { withTokenKeys } from '../src/kong-credentials';
import { KongKeyRefresh, kongKeyRefreshSettings, refreshKongKeysEvery } from '../src/kong-key-refresh';

/** A declarative config shaped like the chart's: the token consumer with no credentials yet. */
const TEMPLATE = stringify({
  _format_version: '3.0',
  services: [{ name: 'api', url: 'http://api:3000', routes: [{ name: 'api', paths: ['/'] }] }],
  consumers: [{ username: 'co-talk-users', jwt_secrets: [] }],
});

type KeySet = { keys: { kid: string; publicKey: string }[] };
const keySet = (): KeySet => JSON.parse(generateTokenKeySets().publicKeys) as KeySet;
const kidsOf = (config: string): string[] =>
  (parse(config) as { consumers: { jwt_secrets: { key: string }[] }[] }).consumers[0].jwt_secrets.map((s) => s.key);

/** Kong's admin API as the sidecar sees it: `POST /config`, answered with `status`. */
class FakeAdminApi {
  readonly posted: { url: string; contentType?: string; config: string }[] = [];
  status = 201;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url?.startsWith('/config')) {
          this.posted.push({
            url: req.url,
            contentType: req.headers['content-type'],
            config: (JSON.parse(body) as { config: string }).config,
          });
        }
        res.writeHead(this.status, { 'content-type': 'application/json' }).end('{"message":"from the fake"}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('KongKeyRefresh', () => {
  const admin = new FakeAdminApi();
  let adminUrl: string;
  beforeAll(async () => (adminUrl = await admin.start()));
  afterAll(() => admin.stop());
  beforeEach(() => {
    admin.posted.length = 0;
    admin.status = 201;
  });

  test('posts nothing while the keys are those Kong started with, then the config with a key added to the set', async () => {
    const started = keySet();
    let published = started;
    const refresh = new KongKeyRefresh({
      templateYaml: TEMPLATE,
      startedWith: withTokenKeys(TEMPLATE, JSON.stringify(started)),
      adminUrl,
      readPublicKeys: async () => JSON.stringify(published),
    });
    expect(await refresh.refresh()).toBe('unchanged');
    expect(admin.posted).toEqual([]);

    // The rotation publishes the next key: Kong must verify with it without a restart.
    const next = keySet().keys[0];
    published = { keys: [...started.keys, next] };
    expect(await refresh.refresh()).toBe('applied');
    expect(admin.posted).toHaveLength(1);
    expect(admin.posted[0]).toMatchObject({ url: '/config?check_hash=1', contentType: 'application/json' });
    expect(kidsOf(admin.posted[0].config)).toEqual([...started.keys.map((k) => k.kid), next.kid]);
    // The rest of the config is the template's, whole.
    expect({ ...(parse(admin.posted[0].config) as object), consumers: undefined }).toEqual({
      ...(parse(TEMPLATE) as object),
      consumers: undefined,
    });

    expect(await refresh.refresh()).toBe('unchanged');
    expect(admin.posted).toHaveLength(1);
  });

  test('a config Kong refuses is posted again next round; an unchanged one (304) counts as applied', async () => {
    const started = keySet();
    const refresh = new KongKeyRefresh({
      templateYaml: TEMPLATE,
      startedWith: withTokenKeys(TEMPLATE, JSON.stringify(started)),
      adminUrl,
      readPublicKeys: async () => JSON.stringify({ keys: [...started.keys, keySet().keys[0]] }),
    });
    admin.status = 400;
    await expect(refresh.refresh()).rejects.toThrow(/HTTP 400 .*from the fake/);
    admin.status = 304;
    expect(await refresh.refresh()).toBe('applied');
    expect(admin.posted).toHaveLength(2);
  });

  test('an unreadable key set changes nothing', async () => {
    const refresh = new KongKeyRefresh({
      templateYaml: TEMPLATE,
      startedWith: withTokenKeys(TEMPLATE, JSON.stringify(keySet())),
      adminUrl,
      readPublicKeys: async () => '{"keys":[]}',
    });
    await expect(refresh.refresh()).rejects.toThrow();
    expect(admin.posted).toEqual([]);
  });

  test('the loop serves a key published after start within one interval, without a restart', async () => {
    const started = keySet();
    let published = started;
    const lines: string[] = [];
    const stop = refreshKongKeysEvery({
      refresh: new KongKeyRefresh({
        templateYaml: TEMPLATE,
        startedWith: withTokenKeys(TEMPLATE, JSON.stringify(started)),
        adminUrl,
        readPublicKeys: async () => JSON.stringify(published),
      }),
      intervalMs: 20,
      log: (line) => lines.push(line),
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(admin.posted).toEqual([]);
      const next = keySet().keys[0];
      published = { keys: [...started.keys, next] };
      const deadline = Date.now() + 5_000;
      // The line is logged once Kong's answer is back, after the fake has recorded the post.
      while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(kidsOf(admin.posted[0].config)).toContain(next.kid);
      expect(lines).toEqual(['kong-credentials: posted the declarative config with new token keys']);
    } finally {
      stop();
    }
  });
});

describe('kongKeyRefreshSettings', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:co-talk/token-public-keys-AbCdEf';

  test('reads the secret, the admin URL and the interval', () => {
    expect(
      kongKeyRefreshSettings({
        AWS_REGION: 'eu-west-1',
        JWT_PUBLIC_KEYS_SECRET_ARN: arn,
        KONG_ADMIN_URL: 'http://127.0.0.1:8001/',
        KONG_KEYS_REFRESH_SECONDS: '300',
      }),
    ).toEqual({ publicKeysArn: arn, region: 'eu-west-1', adminUrl: 'http://127.0.0.1:8001', intervalMs: 300_000 });
  });

  test('names every missing or bad variable', () => {
    let error: unknown;
    try {
      kongKeyRefreshSettings({ KONG_ADMIN_URL: 'ftp://x', KONG_KEYS_REFRESH_SECONDS: '0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).problems).toEqual([
      expect.stringMatching(/^JWT_PUBLIC_KEYS_SECRET_ARN: /),
      expect.stringMatching(/^KONG_ADMIN_URL: /),
      expect.stringMatching(/^KONG_KEYS_REFRESH_SECONDS: /),
    ]);
  });
});
