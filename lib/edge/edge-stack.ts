import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { AccessLogBucket } from './access-log-bucket';
import { EdgeCertificate } from './edge-certificate';
import { RestLoadBalancer } from './rest-load-balancer';
import { RestWebAcl } from './rest-web-acl';
import { WebSocketLoadBalancer } from './websocket-load-balancer';

/** Props for {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /** The VPC from the network stack. */
  readonly vpc: ec2.IVpc;
  /** The security group the pods carry; the load balancers are allowed into it on the target ports. */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
}

/**
 * The load balancers in front of the cluster: the ALB (REST, through Kong) behind a WAF web ACL
 * and the NLB (WebSocket), their target groups, access logs and optional DNS records.
 *
 * The target groups are empty here: the charts bind pods to them with `TargetGroupBinding`, so
 * the load balancers (and their DNS names) outlive any redeploy of the cluster or the charts.
 */
export class EdgeStack extends Stack {
  /** The REST ALB. */
  public readonly restLoadBalancer: elbv2.IApplicationLoadBalancer;
  /** Kong's target group, for the Kong chart's `TargetGroupBinding`. */
  public readonly restTargetGroup: elbv2.IApplicationTargetGroup;
  /** The WebSocket NLB. */
  public readonly websocketLoadBalancer: elbv2.INetworkLoadBalancer;
  /** The gateway's target group, for the gateway chart's `TargetGroupBinding`. */
  public readonly websocketTargetGroup: elbv2.INetworkTargetGroup;
  /** Host name clients use for REST: the record in the hosted zone, or the ALB's own name. */
  public readonly restDomainName: string;
  /** Host name clients use for WebSocket: the record in the hosted zone, or the NLB's own name. */
  public readonly websocketDomainName: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { profile } = props;
    if (profile.edge.cloudFront) {
      // Fail loudly rather than deploy without the CDN the profile asks for.
      throw new Error(
        `edge.cloudFront is true in profile "${profile.name}", but CloudFront is not built by the edge stack: ` +
          'put the CDN in front through DNS (README, Deploying) and set edge.cloudFront to false',
      );
    }

    const hostedZone = profile.edge.hostedZone
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
          hostedZoneId: profile.edge.hostedZone.id,
          zoneName: profile.edge.hostedZone.name,
        })
      : undefined;
    const restHost = hostedZone ? `api.${hostedZone.zoneName}` : undefined;
    const websocketHost = hostedZone ? `ws.${hostedZone.zoneName}` : undefined;

    const { certificate } = new EdgeCertificate(this, 'Certificate', {
      certificateArn: profile.edge.certificateArn,
      hostedZone,
      domainNames: [restHost, websocketHost].filter((name): name is string => name !== undefined),
    });
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', {
      retentionDays: profile.observability.logRetentionDays,
      retain: profile.protectData,
    });

    const rest = new RestLoadBalancer(this, 'RestLoadBalancer', {
      vpc: props.vpc,
      certificate,
      allowedIngressCidrs: profile.edge.allowedIngressCidrs,
      accessLogBucket: accessLogs.bucket,
      podSecurityGroup: props.workloadSecurityGroup,
      deletionProtection: profile.protectData,
    });
    new RestWebAcl(this, 'RestWebAcl', {
      loadBalancerArn: rest.loadBalancer.loadBalancerArn,
      rateLimitPer5Minutes: profile.edge.wafRateLimitPer5Minutes,
    });
    const websocket = new WebSocketLoadBalancer(this, 'WebSocketLoadBalancer', {
      vpc: props.vpc,
      certificate,
      allowedIngressCidrs: profile.edge.allowedIngressCidrs,
      accessLogBucket: accessLogs.bucket,
      podSecurityGroup: props.workloadSecurityGroup,
      drainSeconds: profile.app.gatewayDrainSeconds,
      deletionProtection: profile.protectData,
    });

    this.restLoadBalancer = rest.loadBalancer;
    this.restTargetGroup = rest.targetGroup;
    this.websocketLoadBalancer = websocket.loadBalancer;
    this.websocketTargetGroup = websocket.targetGroup;
    this.restDomainName = restHost ?? rest.loadBalancer.loadBalancerDnsName;
    this.websocketDomainName = websocketHost ?? websocket.loadBalancer.loadBalancerDnsName;

    if (hostedZone && restHost && websocketHost) {
      new route53.ARecord(this, 'RestRecord', {
        zone: hostedZone,
        recordName: restHost,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(rest.loadBalancer)),
      });
      new route53.ARecord(this, 'WebSocketRecord', {
        zone: hostedZone,
        recordName: websocketHost,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(websocket.loadBalancer)),
      });
    }

    new CfnOutput(this, 'RestDomainName', { value: this.restDomainName, description: 'REST API host name' });
    new CfnOutput(this, 'WebSocketDomainName', { value: this.websocketDomainName, description: 'WebSocket host name' });
    new CfnOutput(this, 'RestLoadBalancerDnsName', {
      value: rest.loadBalancer.loadBalancerDnsName,
      description: 'ALB DNS name: the CDN origin for REST',
    });
    new CfnOutput(this, 'WebSocketLoadBalancerDnsName', {
      value: websocket.loadBalancer.loadBalancerDnsName,
      description: 'NLB DNS name: the CDN origin for WebSocket',
    });
    new CfnOutput(this, 'RestTargetGroupArn', { value: rest.targetGroup.targetGroupArn });
    new CfnOutput(this, 'WebSocketTargetGroupArn', { value: websocket.targetGroup.targetGroupArn });
  }
}
