import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { PublicLoadBalancerProps } from './public-load-balancer';

/** One listener port opened to the clients. */
export interface ClientPort {
  readonly port: number;
  readonly description: string;
}

/**
 * The security group in front of a public load balancer: the profile's client ranges on the
 * listener ports and nothing else, no outbound rule until the target rules are added.
 */
export function createClientSecurityGroup(
  scope: Construct,
  props: Pick<PublicLoadBalancerProps, 'vpc' | 'allowedIngressCidrs'>,
  group: { readonly description: string; readonly ports: readonly ClientPort[] },
): ec2.SecurityGroup {
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: group.description,
    allowAllOutbound: false,
  });
  if (props.allowedIngressCidrs.includes('0.0.0.0/0')) {
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A public load balancer: its listener ports (only) are open to every client, as the profile allows',
    });
  }
  for (const cidr of props.allowedIngressCidrs) {
    for (const { port, description } of group.ports) {
      securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), description);
    }
  }
  return securityGroup;
}
