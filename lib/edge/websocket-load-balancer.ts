import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { createClientSecurityGroup } from './client-security-group';
import { allowToPods, podHealthCheck, publicPlacement, type PublicLoadBalancerProps } from './public-load-balancer';
import { GATEWAY_CLIENT_IP_PRESERVATION, GATEWAY_HEALTH_PATH, GATEWAY_HEALTH_PORT, GATEWAY_PORT } from '../contract';

/** Props for {@link WebSocketLoadBalancer}: its pods are the gateway's (an NLB logs TLS listeners only). */
export interface WebSocketLoadBalancerProps extends PublicLoadBalancerProps {
  /**
   * Seconds a deregistering gateway pod keeps its connections; the target group waits at least
   * this long before cutting them.
   */
  readonly drainSeconds: number;
}

/**
 * The internet-facing NLB for WebSocket connections: TLS terminated on 443, cross-zone, one IP
 * target group that the gateway pods are bound to.
 *
 * TLS terminates here rather than passing through: the certificate stays in ACM (no private key
 * in the cluster), the gateway's event loops spend no CPU on handshakes for the connections each
 * pod holds (`npm run capacity`), and an NLB writes access logs for TLS listeners only. Inside the
 * VPC the hop to the pod is plain TCP, from the client's own address (client IP preservation).
 */
export class WebSocketLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The gateway pods, registered by the controller's `TargetGroupBinding`. */
  public readonly targetGroup: elbv2.NetworkTargetGroup;

  constructor(scope: Construct, id: string, props: WebSocketLoadBalancerProps) {
    super(scope, id);
    const securityGroup = createClientSecurityGroup(this, props, {
      description: 'Co-Talk WebSocket NLB: TLS from the allowed client ranges',
      ports: [{ port: 443, description: 'WebSocket over TLS from clients' }],
    });

    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'Resource', {
      ...publicPlacement(props),
      securityGroups: [securityGroup],
      crossZoneEnabled: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogBucket, 'websocket');

    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'GatewayTargetGroup', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.Protocol.TCP,
      port: GATEWAY_PORT,
      deregistrationDelay: Duration.seconds(props.drainSeconds),
      // Keep established connections open through the drain; the pod closes them itself.
      connectionTermination: false,
      // Also what the gateway's per-address limits need: the client's own address, not the NLB's.
      // The pod security group still admits only the NLB's group.
      preserveClientIp: GATEWAY_CLIENT_IP_PRESERVATION,
      healthCheck: podHealthCheck({ port: GATEWAY_HEALTH_PORT, path: GATEWAY_HEALTH_PATH, unhealthyThresholdCount: 2 }),
    });

    this.loadBalancer.addListener('Tls', {
      protocol: elbv2.Protocol.TLS,
      port: 443,
      certificates: [props.certificate],
      sslPolicy: elbv2.SslPolicy.TLS13_12_RES_PQ,
      defaultTargetGroups: [this.targetGroup],
    });

    allowToPods(this.loadBalancer, props.podSecurityGroup, {
      traffic: { port: GATEWAY_PORT, description: 'NLB to gateway' },
      health: { port: GATEWAY_HEALTH_PORT, description: 'NLB health checks to gateway probes' },
    });
  }
}
