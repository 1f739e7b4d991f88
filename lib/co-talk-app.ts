import { type App, Tags } from 'aws-cdk-lib';
import type { Profile } from './config';
import { DataStack } from './data/data-stack';
import { NetworkStack } from './network/network-stack';

/** The stacks of one Co-Talk environment, typed so tests and tools can reach each one. */
export interface CoTalkStacks {
  readonly network: NetworkStack;
  readonly data: DataStack;
}

/**
 * Creates every stack of one environment in `app`.
 *
 * Stack ids are static; the profile name goes into the CloudFormation stack name so that several
 * environments can share an account.
 */
export function createCoTalkStacks(app: App, profile: Profile): CoTalkStacks {
  const env = { account: profile.env.account, region: profile.env.region };
  const stackName = (part: string) => `CoTalk-${profile.name}-${part}`;

  const network = new NetworkStack(app, 'Network', {
    env,
    stackName: stackName('Network'),
    description: `Co-Talk ${profile.name}: VPC, subnets, endpoints and flow logs`,
    profile,
  });

  const data = new DataStack(app, 'Data', {
    env,
    stackName: stackName('Data'),
    description: `Co-Talk ${profile.name}: PostgreSQL, Redis and OpenSearch (stateful)`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
  });

  Tags.of(app).add('project', 'co-talk');
  Tags.of(app).add('environment', profile.name);
  return { network, data };
}
