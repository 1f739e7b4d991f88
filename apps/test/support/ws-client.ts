import { WebSocket } from 'ws';

/** A gateway event as a client sees it. */
export type GatewayEvent = { type: string; [field: string]: unknown };

/** A WebSocket client of the gateway: unpacks its coalesced frames into one list of events. */
export class ChatClient {
  readonly events: GatewayEvent[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.events.push(...(JSON.parse(String(data)) as GatewayEvent[])));
  }

  /** Connects with the access token in the Authorization header. */
  static connect(port: number, accessToken: string): Promise<ChatClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${accessToken}` } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new ChatClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until `count` events match `predicate`; returns them. */
  async waitFor(
    what: string,
    predicate: (e: GatewayEvent) => boolean,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<GatewayEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} × ${what}; got ${found.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async join(roomId: string): Promise<void> {
    this.send({ type: 'join', roomId });
    await this.waitFor(`joined ${roomId}`, (e) => e.type === 'joined' && e.roomId === roomId);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
