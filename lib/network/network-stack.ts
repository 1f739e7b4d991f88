import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { logRetention } from '../shared/log-retention';
import { ChatNetwork } from './chat-network';

/** Props for {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
}

/** The VPC, its endpoints and flow logs, and what every other stack needs from the network. */
export class NetworkStack extends Stack {
  /** The VPC shared by the cluster, the load balancers and the data stores. */
  public readonly vpc: ec2.IVpc;
  /**
   * Carried by the EKS nodes (and so by the pods on them): the one source the data stores
   * accept connections from. It lives here, not in the cluster stack, so the stateful data
   * stack never depends on the replaceable cluster.
   */
  public readonly workloadSecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { network, env, protectData } = props.profile;

    const chatNetwork = new ChatNetwork(this, 'ChatNetwork', {
      cidr: network.vpcCidr,
      availabilityZones: [...env.availabilityZones],
      natGateways: network.natGateways,
      flowLogRetention: logRetention(network.flowLogRetentionDays, 'network.flowLogRetentionDays'),
      removalPolicy: protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc = chatNetwork.vpc;
    const workloadSecurityGroup = new ec2.SecurityGroup(this, 'WorkloadSecurityGroup', {
      vpc: this.vpc,
      description: 'Co-Talk workloads: the only source allowed into the data stores',
      allowAllOutbound: false,
    });
    // Inside the VPC: the control plane, other nodes and pods, the data stores, the interface
    // endpoints and the resolver. Pods carry this group too; which pod may reach what inside the
    // VPC is the namespaces' NetworkPolicies' business.
    workloadSecurityGroup.addEgressRule(
      ec2.Peer.ipv4(network.vpcCidr),
      ec2.Port.allTraffic(),
      'Anything inside the VPC',
    );
    // Out of the VPC only HTTPS, through the NAT gateways: the public registries the add-on and
    // chart images come from (quay.io, registry.k8s.io, docker.io) and AWS APIs without an
    // endpoint here. The project's pods cannot use it: their policies open 443 to the VPC range only.
    workloadSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to image registries (NAT)');
    this.workloadSecurityGroup = workloadSecurityGroup;
  }
}
