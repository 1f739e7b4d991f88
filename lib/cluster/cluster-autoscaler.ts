import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NODE_ROLE_LABEL } from '../contract';
import { controllerRelease } from './controller-release';
import { CLUSTER_AUTOSCALER_CHART, CLUSTER_AUTOSCALER_IMAGE_TAG } from './versions';

/** Props for {@link ClusterAutoscaler}. */
export interface ClusterAutoscalerProps {
  /** The cluster whose managed node groups it scales. */
  readonly cluster: eks.Cluster;
}

/**
 * Cluster Autoscaler, scaling the managed node groups between the profile's min and max sizes.
 *
 * Chosen over Karpenter because the profile speaks in node groups (one role, one instance shape,
 * min/max): the autoscaler honours exactly those bounds, while Karpenter would launch nodes
 * outside the groups and need its own NodePools, interruption queue and node role.
 * It discovers the groups by the `k8s.io/cluster-autoscaler/*` tags EKS puts on them, and may
 * change only Auto Scaling groups tagged with this cluster's name.
 */
export class ClusterAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const { identity } = controllerRelease(this, {
      cluster: props.cluster,
      serviceAccountName: 'cluster-autoscaler',
      description: 'Cluster Autoscaler: resizes the Co-Talk managed node groups',
      chart: CLUSTER_AUTOSCALER_CHART,
      timeout: Duration.minutes(10),
      statements: [
        new iam.PolicyStatement({
          sid: 'Discover',
          // Describe calls do not support resource-level permissions.
          actions: [
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:DescribeAutoScalingInstances',
            'autoscaling:DescribeLaunchConfigurations',
            'autoscaling:DescribeScalingActivities',
            'autoscaling:DescribeTags',
            'ec2:DescribeImages',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplateVersions',
            'ec2:GetInstanceTypesFromInstanceRequirements',
            'eks:DescribeNodegroup',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ScaleOwnGroups',
          actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          resources: ['*'],
          // EKS tags every managed node group's Auto Scaling group with its cluster's name.
          conditions: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': props.cluster.clusterName } },
        }),
      ],
      values: {
        cloudProvider: 'aws',
        awsRegion: Stack.of(this).region,
        autoDiscovery: { clusterName: props.cluster.clusterName },
        image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAG },
        rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler' } },
        nodeSelector: { [NODE_ROLE_LABEL]: 'system' },
        extraArgs: {
          // Spread each role's nodes over the three zones; a zone loss keeps two thirds.
          'balance-similar-node-groups': true,
          expander: 'least-waste',
        },
      },
    });

    Validations.of(identity.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Describe calls support no resource-level permissions; scaling actions are limited by condition to Auto Scaling groups tagged with this cluster',
    });
  }
}
