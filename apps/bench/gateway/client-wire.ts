import { randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * What both kinds of bench client process share: the task's connection fields, the first two
 * reports, the hand-written upgrade and masked frames, failure counts and the exit. Plain sockets
 * rather than `ws` clients, so that the clients take as little as possible of the shared CPU the
 * gateway is measured on.
 */

/** Where and how a client process connects. */
export interface ConnectionTask {
  readonly port: number;
  /**
   * Destination address (127.0.0.x; the gateway listens on all of them). The kernel looks for a
   * free source port per destination, and beyond some 14,000 connections to one address it scans
   * the whole ephemeral range on every connect, so the clients spread over several.
   */
  readonly host: string;
  readonly connections: number;
  /** Upgrades in flight at once. */
  readonly concurrency: number;
  readonly tokens: readonly string[];
  /** Room of connection i: rooms[i % rooms.length], joined after the upgrade; none when empty. */
  readonly rooms: readonly string[];
}

/** The reports every client process sends: once its connections are open, once they have joined. */
export type ConnectionReport =
  | { kind: 'connected'; connections: number; elapsedMs: number; failures: number; errors: Record<string, number> }
  | { kind: 'joined'; joined: number };

export const HEADER_END = Buffer.from('\r\n\r\n');
export const JOINED_MARK = Buffer.from('"joined"');
export const EMPTY = Buffer.alloc(0);

/** A client-to-server frame (RFC 6455 §5.2: FIN, masked), for payloads below 64 KiB. */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const headerLength = payload.length < 126 ? 6 : 8;
  const frame = Buffer.allocUnsafe(headerLength + payload.length);
  frame[0] = 0x80 | opcode;
  if (headerLength === 6) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  const mask = headerLength - 4;
  randomFillSync(frame, mask, 4);
  for (let i = 0; i < payload.length; i++) frame[headerLength + i] = payload[i] ^ frame[mask + (i & 3)];
  return frame;
}

export function maskedTextFrame(text: string): Buffer {
  return maskedFrame(0x1, Buffer.from(text));
}

/** The frame that joins connection i to its room. */
export function joinFrame(task: ConnectionTask, i: number): Buffer {
  return maskedTextFrame(`{"type":"join","roomId":"${task.rooms[i % task.rooms.length]}"}`);
}

/** An upgraded socket with the bytes that came after the 101, or why the upgrade failed. */
export type Upgrade = { socket: Socket; rest: Buffer } | { error: string };

/**
 * Upgrades connection i (with its token) on `port`. `noDelay`: for a connection that writes a
 * frame at a time and must not wait for Nagle. An error after the 101 is left to the caller's
 * counts (the close that follows shows it).
 */
export function upgrade(task: ConnectionTask, i: number, port: number, noDelay = false): Promise<Upgrade> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: task.host });
    if (noDelay) socket.setNoDelay(true);
    let response = EMPTY;
    let settled = false;
    const settle = (result: Upgrade): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    socket.once('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${task.host}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Authorization: Bearer ${task.tokens[i % task.tokens.length]}\r\n\r\n`,
      ),
    );
    const onResponse = (chunk: Buffer): void => {
      response = Buffer.concat([response, chunk]);
      const end = response.indexOf(HEADER_END);
      if (end < 0) return;
      socket.off('data', onResponse);
      if (response.toString('latin1', 0, 12) !== 'HTTP/1.1 101') {
        socket.destroy();
        return settle({ error: response.toString('latin1', 0, 12) });
      }
      settle({ socket, rest: response.subarray(end + HEADER_END.length) });
    };
    socket.on('data', onResponse);
    socket.on('error', (err: NodeJS.ErrnoException) => settle({ error: err.code ?? err.message }));
    socket.once('close', () => settle({ error: 'closed before 101' }));
  });
}

/** Failed attempts, in all and by reason. */
export class Failures {
  count = 0;
  readonly byReason: Record<string, number> = {};

  add(reason: string): void {
    this.count += 1;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
  }
}

/**
 * Opens connections 0..task.connections - 1 with `open`, `task.concurrency` at a time; the first
 * `oneAtATime` one after another (so the gateway's round-robin alternates them between workers).
 */
export async function openAll(task: ConnectionTask, open: (i: number) => Promise<void>, oneAtATime = 0): Promise<void> {
  let next = 0;
  while (next < oneAtATime) await open(next++);
  await Promise.all(
    Array.from({ length: Math.min(task.concurrency, task.connections) }, async () => {
      while (next < task.connections) await open(next++);
    }),
  );
}

/** Waits until `done` holds, at most a minute (a join that never comes is then reported short). */
export async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Resets every connection and exits. RST rather than FIN: a client-side close would leave each
 * port in TIME_WAIT for 60 s, and 50,000 of those exhaust the ephemeral ports the next scenario needs.
 */
export function resetAndExit(sockets: ReadonlyArray<Socket | undefined>): void {
  for (const socket of sockets) socket?.resetAndDestroy();
  setTimeout(() => process.exit(0), 100);
}
