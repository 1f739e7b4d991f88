import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvError, loadEnv } from '../src/env';
import { createSearchClient, searchEnvShape, searchOptionsFromEnv } from '../src/search-client';

const parse = (source: Record<string, string>) => searchOptionsFromEnv(loadEnv(searchEnvShape, source));

function problemsOf(source: Record<string, string>): string[] {
  try {
    parse(source);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return [...(err as EnvError).problems];
  }
  throw new Error('expected an EnvError');
}

describe('searchOptionsFromEnv', () => {
  test('the production form: SigV4 for the region, no password', () => {
    expect(
      parse({ OPENSEARCH_URL: 'https://vpc-x.es.amazonaws.com:443', OPENSEARCH_IAM_AUTH: 'true', AWS_REGION: 'r-1' }),
    ).toEqual({ url: 'https://vpc-x.es.amazonaws.com:443', auth: 'iam', region: 'r-1' });
  });

  test('local forms: nothing (no OpenSearch), the URL alone, or a basic-auth user', () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ OPENSEARCH_URL: 'http://127.0.0.1:9200' })).toEqual({ url: 'http://127.0.0.1:9200', auth: 'none' });
    expect(
      parse({ OPENSEARCH_URL: 'http://127.0.0.1:9200', OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD: 'p' }),
    ).toEqual({ url: 'http://127.0.0.1:9200', auth: 'basic', username: 'u', password: 'p' });
  });

  test('contradictory or incomplete sets name their variables', () => {
    expect(
      problemsOf({
        OPENSEARCH_URL: 'http://vpc-x:443',
        OPENSEARCH_IAM_AUTH: 'true',
        OPENSEARCH_USERNAME: 'admin',
        OPENSEARCH_PASSWORD: 'p',
      }),
    ).toEqual([
      'OPENSEARCH_IAM_AUTH: needs AWS_REGION (requests are signed for it)',
      'OPENSEARCH_IAM_AUTH and OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD: set one, not both',
      'OPENSEARCH_URL: must be https:// with OPENSEARCH_IAM_AUTH (the domain serves HTTPS only)',
    ]);
    expect(problemsOf({ OPENSEARCH_IAM_AUTH: 'true' })).toEqual(['OPENSEARCH_IAM_AUTH: needs OPENSEARCH_URL']);
    expect(problemsOf({ OPENSEARCH_URL: 'http://127.0.0.1:9200', OPENSEARCH_USERNAME: 'u' })).toEqual([
      'OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD: set both, or neither',
    ]);
  });
});

/** One request as a local server received it. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('createSearchClient', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ took: 1, timed_out: false, hits: { hits: [] } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    received.length = 0;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('IAM: every request is SigV4-signed for the es service with the default chain, never basic auth', async () => {
    const saved = { ...process.env };
    // Static credentials through the default chain (its environment provider): signing is local.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example' });
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'])
      delete process.env[name];
    try {
      const client = createSearchClient({ url, auth: 'iam', region: 'ap-northeast-2' });
      const body = { query: { match: { content: 'hello' } } };
      await client.search({ index: 'chat-messages', body });
      await client.indices.exists({ index: 'chat-messages' });
      await client.close();
    } finally {
      process.env = saved;
    }
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /chat-messages/_search', 'HEAD /chat-messages']);
    for (const request of received) {
      const authorization = String(request.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-2\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      expect(authorization).not.toMatch(/^Basic/);
      // The signed payload hash is the body's (the domain checks it).
      expect(request.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(request.body).digest('hex'));
      expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });

  test('IAM: a credential provider is asked once, not per request', async () => {
    let asked = 0;
    const credentials = async () => {
      asked += 1;
      return { accessKeyId: 'AKIDOTHER', secretAccessKey: 's', expiration: new Date(Date.now() + 3_600_000) };
    };
    const client = createSearchClient({ url, auth: 'iam', region: 'eu-west-1', credentials });
    await client.search({ index: 'chat-messages', body: {} });
    await client.search({ index: 'chat-messages', body: {} });
    await client.close();
    expect(asked).toBe(1);
    expect(received.map((r) => String(r.headers.authorization))).toEqual([
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDOTHER\/\d{8}\/eu-west-1\/es\//),
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDOTHER\//),
    ]);
  });

  test('local: no authorization header without a user, basic auth with one', async () => {
    const plain = createSearchClient({ url, auth: 'none' });
    await plain.search({ index: 'chat-messages', body: {} });
    await plain.close();
    const basic = createSearchClient({ url, auth: 'basic', username: 'u', password: 'p' });
    await basic.search({ index: 'chat-messages', body: {} });
    await basic.close();
    expect(received.map((r) => r.headers.authorization)).toEqual([
      undefined,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    ]);
  });
});
