import { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createClientSecurityGroup } from './client-security-group';
import { KONG_HEALTH_PATH, KONG_PROXY_PORT, KONG_STATUS_PORT } from '../contract';

/** Props for {@link RestLoadBalancer}. */
export interface RestLoadBalancerProps {
  /** The VPC; the ALB goes into its public subnets. */
  readonly vpc: ec2.IVpc;
  /** The certificate served on 443. */
  readonly certificate: acm.ICertificate;
  /** Client ranges allowed to reach the listeners (the CDN's ranges in production). */
  readonly allowedIngressCidrs: readonly string[];
  /** Where access logs go. */
  readonly accessLogBucket: s3.IBucket;
  /** The security group the Kong pods carry (through their nodes). */
  readonly podSecurityGroup: ec2.ISecurityGroup;
  /** Refuse deletion of the load balancer (keeps its DNS name stable for the CDN). */
  readonly deletionProtection: boolean;
}

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
    const securityGroup = createClientSecurityGroup(this, {
      vpc: props.vpc,
      description: 'Co-Talk REST ALB: HTTPS (and the HTTP redirect) from the allowed client ranges',
      allowedIngressCidrs: props.allowedIngressCidrs,
      ports: [
        { port: 443, description: 'HTTPS from clients' },
        { port: 80, description: 'HTTP from clients, redirected to HTTPS' },
      ],
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      internetFacing: true,
      securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
    });
    this.loadBalancer.logAccessLogs(props.accessLogBucket, 'rest');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'KongTargetGroup', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: KONG_PROXY_PORT,
      // Kong finishes in-flight requests well within this; REST calls are short.
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        port: String(KONG_STATUS_PORT),
        path: KONG_HEALTH_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
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

    this.loadBalancer.connections.allowTo(props.podSecurityGroup, ec2.Port.tcp(KONG_PROXY_PORT), 'ALB to Kong proxy');
    this.loadBalancer.connections.allowTo(
      props.podSecurityGroup,
      ec2.Port.tcp(KONG_STATUS_PORT),
      'ALB health checks to Kong status',
    );
  }
}
