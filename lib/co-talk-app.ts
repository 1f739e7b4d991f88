import { type App, Tags } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BACKEND_USES, type BackendUse } from './contract';
import { ClusterStack } from './cluster/cluster-stack';
import type { Profile } from './config';
import { DataStack } from './data/data-stack';
import { EdgeStack } from './edge/edge-stack';
import { NetworkStack } from './network/network-stack';
import { ObservabilityStack } from './observability/observability-stack';
import { redisMemberClusterIds } from './observability/redis-members';
import { WorkloadsStack } from './workloads/workloads-stack';

/** The stacks of one Co-Talk environment, typed so tests and tools can reach each one. */
export interface CoTalkStacks {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly cluster: ClusterStack;
  readonly edge: EdgeStack;
  readonly observability: ObservabilityStack;
  readonly workloads: WorkloadsStack;
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
  const { database, redis, search, tokenSigning } = data;
  const backendSecrets: Record<BackendUse, secretsmanager.ISecret> = {
    database: database.secret,
    'database-primary': database.secret,
    'redis-cache': redis.cache.authSecret,
    'redis-pubsub': redis.pubsub.authSecret,
    'redis-streams': redis.streams.authSecret,
    opensearch: search.masterUserSecret,
    jwt: tokenSigning.secret,
  };

  const cluster = new ClusterStack(app, 'Cluster', {
    env,
    stackName: stackName('Cluster'),
    description: `Co-Talk ${profile.name}: EKS cluster, node groups, add-ons and controllers`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
    // Each workload reads the credentials of exactly the backends its environment names
    // (`BACKEND_USES`); the api's migrations Job runs as the api.
    workloadSecrets: {
      gateway: BACKEND_USES.gateway.map((use) => backendSecrets[use]),
      api: BACKEND_USES.api.map((use) => backendSecrets[use]),
      worker: BACKEND_USES.worker.map((use) => backendSecrets[use]),
      kong: BACKEND_USES.kong.map((use) => backendSecrets[use]),
    },
    searchDomain: search.domain,
  });

  const edge = new EdgeStack(app, 'Edge', {
    env,
    stackName: stackName('Edge'),
    description: `Co-Talk ${profile.name}: ALB with WAF for REST, NLB for WebSocket, access logs`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
  });

  const { cache, pubsub, streams } = profile.redis;
  const observability = new ObservabilityStack(app, 'Observability', {
    env,
    stackName: stackName('Observability'),
    description: `Co-Talk ${profile.name}: Prometheus, Grafana, Jaeger, log shipping and CloudWatch alarms`,
    profile,
    cluster: cluster.cluster,
    restLoadBalancer: edge.restLoadBalancer,
    restTargetGroup: edge.restTargetGroup,
    websocketTargetGroup: edge.websocketTargetGroup,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
    database: {
      instance: database.instance,
      replicas: database.replicas,
      allocatedStorageGiB: profile.database.allocatedStorageGiB,
      // Every api and worker pod at its HPA maximum, each with a full pool.
      maxAppConnections:
        profile.database.poolMaxPerInstance *
        (profile.workloads.api.maxReplicas + profile.workloads.worker.maxReplicas),
    },
    redis: {
      cache: {
        label: 'cache',
        memberClusterIds: redisMemberClusterIds(
          redis.cache.replicationGroup.ref,
          cache.replicasPerShard + 1,
          cache.shards,
        ),
      },
      pubsub: {
        label: 'pubsub',
        memberClusterIds: redisMemberClusterIds(redis.pubsub.replicationGroup.ref, pubsub.replicas + 1),
      },
      streams: {
        label: 'streams',
        memberClusterIds: redisMemberClusterIds(redis.streams.replicationGroup.ref, streams.replicas + 1),
      },
    },
    searchDomain: search.domain,
    searchMasterUserSecret: search.masterUserSecret,
  });

  const workloads = new WorkloadsStack(app, 'Workloads', {
    env,
    stackName: stackName('Workloads'),
    description: `Co-Talk ${profile.name}: app images and the Kubernetes workloads (cdk8s charts)`,
    profile,
    cluster: cluster.cluster,
    data,
    targetGroups: { gateway: edge.websocketTargetGroup, kong: edge.restTargetGroup },
    targetGroupBindingCrd: cluster.loadBalancerController.chart,
    monitoringCrds: observability.prometheus.chart,
  });

  Tags.of(app).add('project', 'co-talk');
  Tags.of(app).add('environment', profile.name);
  return { network, data, cluster, edge, observability, workloads };
}
