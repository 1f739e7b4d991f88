import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's Prometheus series. */
export class GatewayMetrics {
  readonly connections: Gauge;
  readonly rooms: Gauge;
  readonly upgrades: Counter<'result'>;
  readonly messagesIn: Counter;
  readonly messagesOut: Counter;
  readonly framesOut: Counter;
  readonly fanoutLatency: Histogram;
  readonly errors: Counter<'code'>;
  readonly closes: Counter<'code'>;
  readonly heartbeatTimeouts: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.connections = new Gauge({ name: 'gateway_connections', help: 'Open WebSocket connections', registers });
    this.rooms = new Gauge({ name: 'gateway_rooms', help: 'Rooms with a local member', registers });
    this.upgrades = counter('gateway_upgrades_total', 'WebSocket upgrade requests by result', ['result']);
    this.messagesIn = counter('gateway_messages_in_total', 'Chat messages accepted from clients');
    this.messagesOut = counter('gateway_messages_out_total', 'Chat messages delivered to connections (one per member)');
    this.framesOut = counter('gateway_frames_out_total', 'WebSocket frames written (each carries one or more events)');
    this.fanoutLatency = new Histogram({
      name: 'gateway_fanout_latency_seconds',
      help: 'From the sender gateway accepting a message to its delivery being queued here',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.errors = counter('gateway_errors_total', 'Error frames sent and internal failures, by code', ['code']);
    this.closes = counter('gateway_closes_total', 'Connections closed by the gateway, by close code', ['code']);
    this.heartbeatTimeouts = counter(
      'gateway_heartbeat_timeouts_total',
      'Connections terminated for leaving GATEWAY_HEARTBEAT_MISSED_LIMIT pings in a row unanswered',
    );
  }
}
