import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { createClientSecurityGroup } from './client-security-group';
import { allowToPods, podHealthCheck, publicPlacement, type PublicLoadBalancerProps } from './public-load-balancer';
import { KONG_HEALTH_PATH, KONG_PROXY_PORT, KONG_STATUS_PORT } from '../contract';

/** Props for {@link RestLoadBalancer}: its pods are Kong's. */
export type RestLoadBalancerProps = PublicLoadBalancerProps;

/**
 * The internet-facing ALB for the REST API: HTTPS on 443 with a TLS 1.2+/1.3 policy, HTTP on 80
 * answering only with a redirect, and one IP target group that Kong's pods are bound to.
 */
export class RestLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Kong's pods, registered by the controller's `TargetGroupBinding`. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: RestLoadBalancerProps) {
    super(scope, id);
    const securityGroup = createClientSecurityGroup(this, props, {
      description: 'Co-Talk REST ALB: HTTPS (and the HTTP redirect) from the allowed client ranges',
      ports: [
        { port: 443, description: 'HTTPS from clients' },
        { port: 80, description: 'HTTP from clients, redirected to HTTPS' },
      ],
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      ...publicPlacement(props),
      securityGroup,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogBucket, 'rest');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'KongTargetGroup', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: KONG_PROXY_PORT,
      // Kong finishes in-flight requests well within this; REST calls are short.
      deregistrationDelay: Duration.seconds(30),
      healthCheck: podHealthCheck({ port: KONG_STATUS_PORT, path: KONG_HEALTH_PATH, unhealthyThresholdCount: 3 }),
    });

    this.loadBalancer.addListener('Https', {
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: 443,
      open: false,
      certificates: [props.certificate],
      sslPolicy: elbv2.SslPolicy.TLS13_12_RES_PQ,
      defaultTargetGroups: [this.targetGroup],
    });
    this.loadBalancer.addRedirect({
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      sourcePort: 80,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      targetPort: 443,
      // The rules above open port 80 to the allowed ranges only, not to the world.
      open: false,
    });

    allowToPods(this.loadBalancer, props.podSecurityGroup, {
      traffic: { port: KONG_PROXY_PORT, description: 'ALB to Kong proxy' },
      health: { port: KONG_STATUS_PORT, description: 'ALB health checks to Kong status' },
    });
  }
}
