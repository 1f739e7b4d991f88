import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** Props for {@link ChatNetwork}. */
export interface ChatNetworkProps {
  /** The VPC's IPv4 range; a /16 is expected (see the subnet plan below). */
  readonly cidr: string;
  /** The three zones the VPC spans, pinned in the profile. */
  readonly availabilityZones: string[];
  /** NAT gateways: 1 is cheap, 3 (one per zone) survives a zone outage. */
  readonly natGateways: number;
}

/**
 * The VPC every Co-Talk tier lives in.
 *
 * Subnet plan for a /16 (the VPC CNI gives every pod a VPC address, so the private tier is large):
 * - private-with-egress /18 per zone (16,384 addresses each, 49,152 in all): nodes and pods. The
 *   `scale` profile's ~80 nodes each keep at most a few ENIs' worth of warm addresses (a
 *   c7i.4xlarge: 15 ENIs x 50 addresses at the extreme, typically 1-2 ENIs), which leaves
 *   room for tens of thousands of pods even before prefix delegation.
 * - public /24 per zone: load balancers and NAT gateways only.
 * - isolated /22 per zone: data stores, no route to the internet.
 * The private tier is declared first so the /18 blocks align at the start of the range.
 */
export class ChatNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: ChatNetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 18 },
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
    });
  }
}
