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
    this.connections = new Gauge({ name: 'gateway_connections', help: 'Open WebSocket connections', registers });
    this.rooms = new Gauge({ name: 'gateway_rooms', help: 'Rooms with a local member', registers });
    this.upgrades = new Counter({
      name: 'gateway_upgrades_total',
      help: 'WebSocket upgrade requests by result',
      labelNames: ['result'],
      registers,
    });
    this.messagesIn = new Counter({
      name: 'gateway_messages_in_total',
      help: 'Chat messages accepted from clients',
      registers,
    });
    this.messagesOut = new Counter({
      name: 'gateway_messages_out_total',
      help: 'Chat messages delivered to connections (one per member)',
      registers,
    });
    this.framesOut = new Counter({
      name: 'gateway_frames_out_total',
      help: 'WebSocket frames written (each carries one or more events)',
      registers,
    });
    this.fanoutLatency = new Histogram({
      name: 'gateway_fanout_latency_seconds',
      help: 'From the sender gateway accepting a message to its delivery being queued here',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.errors = new Counter({
      name: 'gateway_errors_total',
      help: 'Error frames sent and internal failures, by code',
      labelNames: ['code'],
      registers,
    });
    this.closes = new Counter({
      name: 'gateway_closes_total',
      help: 'Connections closed by the gateway, by close code',
      labelNames: ['code'],
      registers,
    });
    this.heartbeatTimeouts = new Counter({
      name: 'gateway_heartbeat_timeouts_total',
      help: 'Connections terminated for leaving GATEWAY_HEARTBEAT_MISSED_LIMIT pings in a row unanswered',
      registers,
    });
  }
}
