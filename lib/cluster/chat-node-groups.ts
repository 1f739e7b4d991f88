import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import type { NodeGroupProfile } from '../config';
import { DEDICATED_NODE_ROLES, NODE_ROLE_LABEL, type NodeRole } from '../contract';

/** Props for {@link ChatNodeGroups}. */
export interface ChatNodeGroupsProps {
  /** The cluster the node groups join. */
  readonly cluster: eks.Cluster;
  /** Sizes and instance types per role, from the profile. */
  readonly nodeGroups: Readonly<Record<NodeRole, NodeGroupProfile>>;
  /** Run the Graviton (arm64) EKS AMI instead of x86-64. */
  readonly graviton: boolean;
  /**
   * The security group the data stores trust. Every node (and so every pod, since the VPC CNI
   * gives pods the node's security groups) carries it.
   */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
}

/**
 * The managed node groups `system`, `gateway` and `api`, each with its own launch template.
 *
 * A launch template that names security groups replaces the ones EKS would attach, so each
 * template lists both the EKS cluster security group (control plane <-> node traffic) and the
 * workload security group (node -> data stores).
 */
export class ChatNodeGroups extends Construct {
  /** The node groups, by role. */
  public readonly nodeGroups: Readonly<Record<NodeRole, eks.Nodegroup>>;

  constructor(scope: Construct, id: string, props: ChatNodeGroupsProps) {
    super(scope, id);
    const amiType = props.graviton
      ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD
      : eks.NodegroupAmiType.AL2023_X86_64_STANDARD;

    const build = (groupId: string, role: NodeRole): eks.Nodegroup => {
      const group = props.nodeGroups[role];
      const launchTemplate = new ec2.LaunchTemplate(this, `${groupId}LaunchTemplate`, {
        requireImdsv2: true,
        securityGroup: props.cluster.clusterSecurityGroup,
        blockDevices: [
          {
            deviceName: '/dev/xvda',
            volume: ec2.BlockDeviceVolume.ebs(group.diskSizeGiB, {
              volumeType: ec2.EbsDeviceVolumeType.GP3,
              encrypted: true,
            }),
          },
        ],
      });
      launchTemplate.connections.addSecurityGroup(props.workloadSecurityGroup);
      const dedicated = DEDICATED_NODE_ROLES.includes(role);
      const nodegroup = props.cluster.addNodegroupCapacity(groupId, {
        amiType,
        instanceTypes: group.instanceTypes.map((type) => new ec2.InstanceType(type)),
        minSize: group.minSize,
        desiredSize: group.desiredSize,
        maxSize: group.maxSize,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
        labels: { [NODE_ROLE_LABEL]: role },
        taints: dedicated ? [{ key: NODE_ROLE_LABEL, value: role, effect: eks.TaintEffect.NO_SCHEDULE }] : [],
        enableNodeAutoRepair: true,
        // Roll one node at a time: a gateway node holds many long-lived WebSocket connections.
        maxUnavailable: 1,
      });
      for (const policy of [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
      ]) {
        Validations.of(nodegroup.role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
          reason: 'The node role policies EKS documents for managed node groups (join, pod networking, image pulls)',
        });
      }
      return nodegroup;
    };

    this.nodeGroups = {
      system: build('System', 'system'),
      gateway: build('Gateway', 'gateway'),
      api: build('Api', 'api'),
    };
  }
}
