import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { type ConnectionTask, joinFrame, maskedTextFrame, upgrade } from '../client-wire';

/** A WebSocket server that checks the bench's upgrade as the gateway would and keeps what arrives. */
async function listen(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((_, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (request.headers.authorization !== 'Bearer good') {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.send('{"type":"hello"}');
      ws.on('message', (data) => received.push(data.toString()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

const task = (port: number, tokens: string[]): ConnectionTask => ({
  port,
  host: '127.0.0.1',
  connections: 1,
  concurrency: 1,
  tokens,
  rooms: ['room-a', 'room-b'],
});

test('upgrades with the connection token and sends frames the server reads, short and long', async () => {
  const { server, port, received } = await listen();
  try {
    const upgraded = await upgrade(task(port, ['good']), 1, port, true);
    if (!('socket' in upgraded)) throw new Error(upgraded.error);
    const long = 'x'.repeat(300);
    upgraded.socket.write(joinFrame(task(port, ['good']), 1));
    upgraded.socket.write(maskedTextFrame(long));
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual(['{"type":"join","roomId":"room-b"}', long]);
    upgraded.socket.destroy();
  } finally {
    server.close();
  }
});

test('a refused upgrade and a refused connection are failures with their reason', async () => {
  const { server, port } = await listen();
  try {
    await expect(upgrade(task(port, ['bad']), 0, port)).resolves.toEqual({ error: 'HTTP/1.1 401' });
  } finally {
    server.close();
  }
  await expect(upgrade(task(port, ['good']), 0, port)).resolves.toEqual({ error: 'ECONNREFUSED' });
});
