import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  APP_PATHS,
  APP_PORTS,
  appEnv,
  GATEWAY_CONNECTIONS_METRIC,
  GATEWAY_READINESS_PATH,
  type GatewayEnvName,
} from '../lib/contract';
import type { AppChartProps } from './app-chart-props';
import { backendEnv } from './backends';
import { ChatWorkload } from './chat-workload';
import * as k8s from './imports/k8s';
import { tracingEnv } from './tracing-env';
import { cpuMillis } from './quantity';
import { bindTargetGroup } from './target-group-binding';

/** Props for {@link GatewayChart}. */
export interface GatewayChartProps extends AppChartProps {
  /** ARN of the NLB target group (target type `ip`) the gateway pods register with. */
  readonly targetGroupArn: string;
}

/**
 * The WebSocket gateway: one pod per gateway node, spread over zones, registered with the NLB
 * target group; on shutdown it first waits out the NLB deregistration, then drains its
 * connections for `app.gatewayDrainSeconds`.
 */
export class GatewayChart extends Chart {
  /** The gateway workload. */
  public readonly workload: ChatWorkload;

  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id, props);
    const { app, workloads, capacity } = props.profile;
    const ports = APP_PORTS.gateway;

    this.workload = new ChatWorkload(this, 'Gateway', {
      name: 'gateway',
      image: props.image,
      size: workloads.gateway,
      ports: [
        { name: 'websocket', port: ports.websocket },
        { name: 'metrics', port: ports.metrics },
      ],
      probes: { port: ports.metrics, liveness: APP_PATHS.liveness, readiness: GATEWAY_READINESS_PATH },
      env: appEnv<GatewayEnvName>({
        ...backendEnv(props.backends, 'gateway'),
        ...tracingEnv('gateway', props.profile.observability.traceSampleRatio),
        GATEWAY_PORT: String(ports.websocket),
        GATEWAY_HTTP_PORT: String(ports.metrics),
        GATEWAY_DRAIN_SECONDS: String(app.gatewayDrainSeconds),
        // Browser pages from other origins may not open connections with a user's token.
        ALLOWED_ORIGINS: app.allowedOrigins.join(','),
        GATEWAY_HEARTBEAT_INTERVAL_MS: String(app.gatewayHeartbeatIntervalSeconds * 1000),
        // The brief: one event loop per core, counted from the pod's CPU, not the node's.
        GATEWAY_WORKERS: String(Math.max(1, Math.floor(cpuMillis(workloads.gateway.cpu) / 1000))),
      }),
      nodeRole: 'gateway',
      preStopSleepSeconds: app.deregistrationDelaySeconds,
      terminationGracePeriodSeconds: app.deregistrationDelaySeconds + app.gatewayDrainSeconds,
      // One draining pod at a time: each removal moves its connections onto the others.
      scaleDownPolicy: { pods: 1, periodSeconds: app.deregistrationDelaySeconds + app.gatewayDrainSeconds },
      replaceWithoutSurge: true,
      // Scale on the unit the brief's table is written in: connections per pod, at the profile's
      // planned figure per server (within what `lib/capacity` shows a server holds).
      extraMetrics: [
        {
          type: 'Pods',
          pods: {
            metric: { name: GATEWAY_CONNECTIONS_METRIC },
            target: { type: 'AverageValue', averageValue: k8s.Quantity.fromNumber(capacity.targetPerServer) },
          },
        },
      ],
    });

    bindTargetGroup(this, 'NlbBinding', {
      targetGroupArn: props.targetGroupArn,
      service: 'gateway',
      port: ports.websocket,
    });
  }
}
