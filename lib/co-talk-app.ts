import { type App, Tags } from 'aws-cdk-lib';
import { ClusterStack } from './cluster/cluster-stack';
import type { Profile } from './config';
import { EdgeStack } from './edge/edge-stack';
import { NetworkStack } from './network/network-stack';
import { ObservabilityStack } from './observability/observability-stack';

/** The stacks of one Co-Talk environment, typed so tests and tools can reach each one. */
export interface CoTalkStacks {
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
  readonly edge: EdgeStack;
  readonly observability: ObservabilityStack;
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

  const cluster = new ClusterStack(app, 'Cluster', {
    env,
    stackName: stackName('Cluster'),
    description: `Co-Talk ${profile.name}: EKS cluster, node groups, add-ons and controllers`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
  });

  const edge = new EdgeStack(app, 'Edge', {
    env,
    stackName: stackName('Edge'),
    description: `Co-Talk ${profile.name}: ALB with WAF for REST, NLB for WebSocket, access logs`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
  });

  const observability = new ObservabilityStack(app, 'Observability', {
    env,
    stackName: stackName('Observability'),
    description: `Co-Talk ${profile.name}: Prometheus, Grafana, Jaeger, log shipping and CloudWatch alarms`,
    profile,
    cluster: cluster.cluster,
    restLoadBalancer: edge.restLoadBalancer,
    restTargetGroup: edge.restTargetGroup,
    websocketTargetGroup: edge.websocketTargetGroup,
  });

  Tags.of(app).add('project', 'co-talk');
  Tags.of(app).add('environment', profile.name);
  return { network, cluster, edge, observability };
}
