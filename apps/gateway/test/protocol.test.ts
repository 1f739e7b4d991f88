import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { tokenOf } from '../src/auth';
import { Connection } from '../src/connection';
import { parseClientFrame, serverEvent } from '../src/protocol';
import { uuidv7 } from '../src/uuidv7';

const ROOM = '0190f2a4-4f6e-7c1a-9d2b-3e4f5a6b7c8d';

describe('parseClientFrame', () => {
  test('accepts the three client frames', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'join', roomId: ROOM }))).toEqual({
      ok: true,
      frame: { type: 'join', roomId: ROOM },
    });
    expect(parseClientFrame(JSON.stringify({ type: 'leave', roomId: ROOM })).ok).toBe(true);
    const send = { type: 'send', roomId: ROOM, clientMsgId: 'c-1', content: 'hi' };
    expect(parseClientFrame(JSON.stringify(send))).toEqual({ ok: true, frame: send });
  });

  test('names a JSON syntax error', () => {
    expect(parseClientFrame('{"type":')).toMatchObject({ ok: false, code: 'bad_json', message: /not JSON/ });
  });

  test('names the field that is wrong', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'join', roomId: 'lobby' }))).toMatchObject({
      ok: false,
      code: 'invalid_frame',
      message: expect.stringMatching(/^roomId: /),
    });
    expect(
      parseClientFrame(JSON.stringify({ type: 'send', roomId: ROOM, clientMsgId: 'c', content: '' })),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^content: /) });
  });

  test('rejects unknown types, extra fields and non-objects', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'shout', roomId: ROOM }))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^type: /),
    });
    expect(parseClientFrame(JSON.stringify({ type: 'join', roomId: ROOM, admin: true }))).toMatchObject({
      ok: false,
      code: 'invalid_frame',
    });
    expect(parseClientFrame('42')).toMatchObject({ ok: false, code: 'invalid_frame' });
    expect(parseClientFrame('null')).toMatchObject({ ok: false, code: 'invalid_frame' });
  });
});

describe('serverEvent', () => {
  test('wraps a published message without parsing it again', () => {
    const message = JSON.stringify({ id: 'x', content: 'hello' });
    expect(JSON.parse(serverEvent.message(message))).toEqual({
      type: 'message',
      message: { id: 'x', content: 'hello' },
    });
  });

  test('an ack names the client id, the server id and whether it was a resend', () => {
    expect(JSON.parse(serverEvent.ack('c-1', 'id-1', '2026-01-01T00:00:00.000Z', true))).toEqual({
      type: 'ack',
      clientMsgId: 'c-1',
      id: 'id-1',
      createdAt: '2026-01-01T00:00:00.000Z',
      duplicate: true,
    });
  });
});

describe('rate limit token bucket', () => {
  const socket = {} as WebSocket;

  test('allows the burst, then refills at the rate', () => {
    const connection = new Connection(socket, 'u', 0, 3, '127.0.0.1');
    const t0 = connection.refilledAt;
    expect([1, 2, 3].map(() => connection.takeToken(10, 3, t0))).toEqual([true, true, true]);
    expect(connection.takeToken(10, 3, t0)).toBe(false);
    expect(connection.strikes).toBe(1);
    expect(connection.takeToken(10, 3, t0 + 100)).toBe(true);
    expect(connection.strikes).toBe(0);
  });

  test('never stores more than the burst', () => {
    const connection = new Connection(socket, 'u', 0, 2, '127.0.0.1');
    const later = connection.refilledAt + 60_000;
    expect([1, 2, 3].map(() => connection.takeToken(10, 2, later))).toEqual([true, true, false]);
  });
});

describe('uuidv7', () => {
  test('is a version 7, RFC 9562 variant UUID carrying the time', () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  test('ids from one process sort in creation order, within a millisecond too', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7(Date.UTC(2030, 0, 1)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('tokenOf', () => {
  const request = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;

  test('reads the Authorization header, the bearer subprotocol and the query, in that order', () => {
    expect(tokenOf(request({ authorization: 'Bearer aaa' }, '/?access_token=ccc'))).toBe('aaa');
    expect(tokenOf(request({ 'sec-websocket-protocol': 'bearer, bbb' }, '/?access_token=ccc'))).toBe('bbb');
    expect(tokenOf(request({}, '/ws?access_token=ccc'))).toBe('ccc');
  });

  test('finds nothing when no token is offered', () => {
    expect(tokenOf(request({}))).toBeNull();
    expect(tokenOf(request({ authorization: 'Basic abc' }))).toBeNull();
    expect(tokenOf(request({ 'sec-websocket-protocol': 'bearer' }))).toBeNull();
  });
});
