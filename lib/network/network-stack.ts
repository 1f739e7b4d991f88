import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { ChatNetwork } from './chat-network';

/** Props for {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
}

/** The VPC and what every other stack needs from the network. */
export class NetworkStack extends Stack {
  /** The VPC shared by the cluster, the load balancers and the data stores. */
  public readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { network, env } = props.profile;

    const chatNetwork = new ChatNetwork(this, 'ChatNetwork', {
      cidr: network.vpcCidr,
      availabilityZones: [...env.availabilityZones],
      natGateways: network.natGateways,
    });
    this.vpc = chatNetwork.vpc;
  }
}
