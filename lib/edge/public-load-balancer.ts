import { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** What both internet-facing load balancers take: where they stand, what they serve, to whom. */
export interface PublicLoadBalancerProps {
  /** The VPC; the load balancer goes into its public subnets. */
  readonly vpc: ec2.IVpc;
  /** The certificate its TLS listener serves on 443. */
  readonly certificate: acm.ICertificate;
  /** Client ranges allowed to reach the listeners (the CDN's ranges in production). */
  readonly allowedIngressCidrs: readonly string[];
  /** Where access logs go. */
  readonly accessLogBucket: s3.IBucket;
  /** The security group its pods carry (through their nodes). */
  readonly podSecurityGroup: ec2.ISecurityGroup;
  /** Refuse deletion of the load balancer (keeps its DNS name stable for the CDN). */
  readonly deletionProtection: boolean;
}

/** Where both load balancers stand: internet-facing in the VPC's public subnets, protected as the profile says. */
export function publicPlacement(props: PublicLoadBalancerProps): elbv2.BaseLoadBalancerProps {
  return {
    vpc: props.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    internetFacing: true,
    deletionProtection: props.deletionProtection,
  };
}

/** A port on the pods that a load balancer reaches, and why. */
export interface PodPort {
  readonly port: number;
  readonly description: string;
}

/**
 * The health check both load balancers run on their pods: HTTP 200 on the pod's probe port and
 * path every 10 s, healthy after two answers.
 */
export function podHealthCheck(health: {
  readonly port: number;
  readonly path: string;
  /** Failed checks before a pod is taken out. */
  readonly unhealthyThresholdCount: number;
}): elbv2.HealthCheck {
  return {
    protocol: elbv2.Protocol.HTTP,
    port: String(health.port),
    path: health.path,
    healthyHttpCodes: '200',
    interval: Duration.seconds(10),
    timeout: Duration.seconds(5),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: health.unhealthyThresholdCount,
  };
}

/**
 * Lets a load balancer into the pods' security group on the traffic port and the health-check
 * port only.
 */
export function allowToPods(
  loadBalancer: ec2.IConnectable,
  pods: ec2.ISecurityGroup,
  ports: { readonly traffic: PodPort; readonly health: PodPort },
): void {
  for (const { port, description } of [ports.traffic, ports.health]) {
    loadBalancer.connections.allowTo(pods, ec2.Port.tcp(port), description);
  }
}
