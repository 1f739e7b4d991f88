import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { encodeCursor } from '../src/cursor';
import { request } from '../../test/support/http';
import { fromSchema, hostile, nastyString, type Hints, type Schema } from './schema-arbitrary';
import { useTestApi } from './test-api';

/**
 * Schema-driven fuzzing: every operation of the API's own OpenAPI document gets requests
 * generated from its parameter and body schemas (mostly fitting, partly hostile), sent over HTTP
 * to the real API on real PostgreSQL and Redis. No input may produce a 5xx.
 */
jest.setTimeout(120_000);

/** Requests per operation: 16 operations × 150 = 2,400 requests, plus shrinking on a failure. */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 150);

/** How a generated value travels in a path or query string. */
const asText = (value: unknown): string =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

/**
 * Percent-encoding that, unlike encodeURIComponent, also sends unpaired surrogates: as the three
 * bytes a naive UTF-8 encoder would produce (%ED%A0%80), which are not valid UTF-8.
 */
const percentEncode = (text: string): string =>
  text.replace(/[\s\S]/gu, (char) => {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      const bytes = [0xed, 0xa0 | ((code >> 6) & 0x1f), 0x80 | (code & 0x3f)];
      return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(char);
  });

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly body?: Schema;
  readonly secured: boolean;
}

interface Generated {
  readonly params: Record<string, unknown>;
  readonly body: unknown;
  readonly auth: 'valid' | 'none' | 'forged';
}

describe('fuzzing every operation of the OpenAPI document', () => {
  // Sign-in throttling stays on, with limits high enough that the fuzzer reaches the handler.
  const t = useTestApi({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '100000', SIGN_IN_MAX_FAILURES_PER_IP: '100000' });
  let operations: Operation[];
  let hints: Hints;
  let token: string;

  const base = (): string => `http://127.0.0.1:${t.api.port}`;

  beforeAll(async () => {
    const signUp = async (name: string): Promise<{ id: string; token: string }> => {
      const res = await request(base(), {
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: {
          email: `${name}-${randomUUID()}@example.com`,
          password: 'fuzzing is fun and long',
          displayName: name,
        },
      });
      expect(res.statusCode).toBe(201);
      return { id: res.json().user.id, token: res.json().accessToken };
    };
    const [alice, bob] = [await signUp('alice'), await signUp('bob')];
    token = alice.token;
    const room = await request(base(), {
      method: 'POST',
      url: '/v1/rooms',
      token,
      payload: { name: 'fuzz', memberIds: [bob.id] },
    });
    const roomId = room.json().id as string;
    await t.db.pool.query(
      `INSERT INTO messages (id, chat_room_id, sender_id, client_msg_id, content, created_at)
       SELECT gen_random_uuid(), $1, $2, n::text, 'message ' || n, now() - n * interval '1 second'
       FROM generate_series(1, 30) AS n`,
      [roomId, alice.id],
    );
    // Cursors: well-formed ones, and forgeries of every shape the decoder might trust.
    const json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cursor = fc.oneof(
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.constantFrom(roomId, randomUUID()))
        .map(([d, id]) => encodeCursor(d.toISOString(), id)),
      fc.tuple(nastyString(30), nastyString(40)).map(([a, b]) => encodeCursor(a, b)),
      fc
        .tuple(
          fc.constantFrom(
            '0000-01-01T00:00:00Z',
            '9999-12-31T23:59:59.999999Z',
            '2026-02-31T00:00:00Z',
            '2026-13-01T00:00:00Z',
            '2026-01-01T24:00:00Z',
            '2026-01-01T00:00:00.1234567Z',
            '2026-01-01T00:00:00+25:00',
            '294277-01-01T00:00:00Z',
            'infinity',
            'epoch',
          ),
          fc.constantFrom(roomId, 'urn:uuid:' + roomId, roomId.toUpperCase(), '00000000000000000000000000000000'),
        )
        .map(([a, b]) => encodeCursor(a, b)),
      hostile.map((value) => json(value)),
      fc.tuple(hostile, hostile, hostile).map((value) => json(value)),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => Buffer.from(s).toString('base64url')),
    );
    hints = { uuids: [alice.id, bob.id, roomId], byName: { before: cursor } };

    const doc = (await (await fetch(`${base()}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Parameter[];
            requestBody?: { content: Record<string, { schema: Schema }> };
            security?: unknown[];
          }
        >
      >;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
        secured: (op.security?.length ?? 0) > 0,
      })),
    );
  });

  function generator(op: Operation): fc.Arbitrary<Generated> {
    const params = fc.record(
      Object.fromEntries(op.parameters.map((p) => [p.name, fromSchema(p.schema, hints, p.name)])),
      { requiredKeys: op.parameters.filter((p) => p.in === 'path').map((p) => p.name) },
    );
    return fc.record({
      params,
      body: op.body ? fromSchema(op.body, hints) : fc.constant(undefined),
      auth: fc.constantFrom<Generated['auth']>('valid', 'valid', 'valid', 'valid', 'none', 'forged'),
    });
  }

  async function send(op: Operation, input: Generated): Promise<{ status: number; text: string; url: string }> {
    let url = op.path;
    const query: string[] = [];
    for (const p of op.parameters) {
      const value = input.params[p.name];
      if (p.in === 'path') url = url.replace(`{${p.name}}`, percentEncode(asText(value)));
      else if (p.in === 'query' && value !== undefined) {
        for (const item of Array.isArray(value) ? value : [value])
          query.push(`${p.name}=${percentEncode(asText(item))}`);
      }
    }
    if (query.length > 0) url += `?${query.join('&')}`;
    const headers: Record<string, string> = {};
    if (input.auth === 'valid') headers.authorization = `Bearer ${token}`;
    if (input.auth === 'forged') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
    let body: string | undefined;
    if (input.body !== undefined) {
      body = JSON.stringify(input.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${base()}${url}`, { method: op.method, headers, body });
    return { status: res.status, text: await res.text(), url };
  }

  it('covers every operation of the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(16);
    expect(operations.filter((op) => !op.secured).map((op) => op.path)).toEqual(
      expect.arrayContaining(['/v1/auth/sign-up', '/v1/auth/sign-in']),
    );
  });

  it('answers no generated request with a 5xx', async () => {
    const statuses = new Map<number, number>();
    // One property per operation, all running at once (the API serves them concurrently anyway).
    await Promise.all(
      operations.map((op) =>
        fc.assert(
          fc.asyncProperty(generator(op), async (input) => {
            const res = await send(op, input);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500)
              throw new Error(
                `${op.method} ${res.url} → ${res.status} ${res.text} (body ${JSON.stringify(input.body)})`,
              );
          }),
          { numRuns: RUNS_PER_OPERATION },
        ),
      ),
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(operations.length * RUNS_PER_OPERATION);
    // The fuzzer got past validation too: successes as well as refusals.
    expect([...statuses.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });
});
