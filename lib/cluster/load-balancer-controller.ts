import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NODE_ROLE_LABEL } from '../contract';
import { controllerRelease } from './controller-release';
import { LOAD_BALANCER_CONTROLLER_CHART } from './versions';

/** Props for {@link LoadBalancerController}. */
export interface LoadBalancerControllerProps {
  /** The cluster to install the controller on. */
  readonly cluster: eks.Cluster;
  /** The VPC the target groups live in (given to the controller so it never asks IMDS). */
  readonly vpc: ec2.IVpc;
  /**
   * Value of the `environment` tag on the target groups the controller may register pods into.
   * Every resource of the app is tagged with it, so another environment's target groups in the
   * same account stay out of reach.
   */
  readonly environmentTag: string;
}

/**
 * The AWS Load Balancer Controller, reduced to what Co-Talk uses it for: `TargetGroupBinding`.
 *
 * The load balancers and target groups are CDK resources (stable DNS names, reviewed in
 * templates); the controller only registers and deregisters pod IPs in them. Its role therefore
 * holds read-only describe calls plus register/deregister on this environment's target groups,
 * not the upstream policy's rights to create load balancers, security groups or WAF
 * associations. Security-group rules from the load balancers to the pods are CDK-owned too, so
 * `TargetGroupBinding`s leave `networking` unset.
 */
export class LoadBalancerController extends Construct {
  /** The Helm release; charts with `TargetGroupBinding`s depend on it (it installs the CRD). */
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    const { identity, chart } = controllerRelease(this, {
      cluster: props.cluster,
      serviceAccountName: 'aws-load-balancer-controller',
      description: 'AWS Load Balancer Controller: registers pod IPs in the Co-Talk target groups',
      chart: LOAD_BALANCER_CONTROLLER_CHART,
      timeout: Duration.minutes(15),
      statements: [
        new iam.PolicyStatement({
          sid: 'Discover',
          // Describe calls do not support resource-level permissions.
          actions: [
            'ec2:DescribeAvailabilityZones',
            'ec2:DescribeInstances',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
            'elasticloadbalancing:DescribeListeners',
            'elasticloadbalancing:DescribeLoadBalancers',
            'elasticloadbalancing:DescribeTags',
            'elasticloadbalancing:DescribeTargetGroupAttributes',
            'elasticloadbalancing:DescribeTargetGroups',
            'elasticloadbalancing:DescribeTargetHealth',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'BindPods',
          actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
          resources: [
            Stack.of(this).formatArn({ service: 'elasticloadbalancing', resource: 'targetgroup', resourceName: '*' }),
          ],
          conditions: { StringEquals: { 'aws:ResourceTag/environment': props.environmentTag } },
        }),
      ],
      values: {
        clusterName: props.cluster.clusterName,
        region: Stack.of(this).region,
        vpcId: props.vpc.vpcId,
        serviceAccount: { create: true, name: 'aws-load-balancer-controller' },
        replicaCount: 2,
        nodeSelector: { [NODE_ROLE_LABEL]: 'system' },
        // Only TargetGroupBinding is used: no Ingress class, no Service mutation.
        createIngressClassResource: false,
        enableServiceMutatorWebhook: false,
      },
    });
    this.chart = chart;

    // The finding names the ARN as rendered: a literal partition when the region is known.
    const stack = Stack.of(this);
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    Validations.of(identity.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Only EC2 and ELB Describe calls, which support no resource-level permissions',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:elasticloadbalancing:${stack.region}:${stack.account}:targetgroup/*]`,
        reason: 'Register/deregister only, limited by condition to target groups tagged with this environment',
      },
    );
  }
}
