import { type App, Tags } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { assertCapacity } from './capacity';
import { BACKEND_USES, REDIS_ROLE_OF_USE, type BackendUse, type RedisApp, type WorkloadName } from './contract';
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
/** Options for {@link createCoTalkStacks}. */
export interface CoTalkStacksOptions {
  /**
   * A synthesis to read, not to deploy (cost, diagram, diff, capacity): the alert destination a
   * deployable non-dev profile must name may be left out.
   * @default false
   */
  readonly review?: boolean;
}

export function createCoTalkStacks(app: App, profile: Profile, options: CoTalkStacksOptions = {}): CoTalkStacks {
  // Before any stack: a profile whose gateway path cannot carry its connection target stops synth.
  assertCapacity(profile);
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
  // The apps log in to PostgreSQL with IAM tokens and sign OpenSearch requests with their roles (no
  // secret); the database master secret is the migrations', the search one the deploy-time setup's.
  // On Redis each app has a user of its own per cluster, so the secret depends on the app too.
  const backendSecret = (app: WorkloadName, use: BackendUse): secretsmanager.ISecret | undefined => {
    switch (use) {
      case 'database':
      case 'database-primary':
        return undefined;
      case 'database-admin':
        return database.secret;
      case 'redis-cache':
      case 'redis-pubsub':
      case 'redis-streams': {
        const user = redis[REDIS_ROLE_OF_USE[use]].users[app as RedisApp];
        if (user === undefined) throw new Error(`${app} uses ${use} but the cluster has no user for it`);
        return user.secret;
      }
      case 'opensearch':
        return undefined;
      case 'token-signing':
        return tokenSigning.secret;
      case 'token-verification':
        return tokenSigning.publicKeys;
    }
  };

  const secretsOf = (app: WorkloadName) =>
    BACKEND_USES[app].map((use: BackendUse) => backendSecret(app, use)).filter((secret) => secret !== undefined);

  const cluster = new ClusterStack(app, 'Cluster', {
    env,
    stackName: stackName('Cluster'),
    description: `Co-Talk ${profile.name}: EKS cluster, node groups, add-ons and controllers`,
    profile,
    vpc: network.vpc,
    workloadSecurityGroup: network.workloadSecurityGroup,
    // Each workload reads the credentials of exactly the backends its environment names
    // (`BACKEND_USES`); the migrations Job runs as its own ServiceAccount.
    workloadSecrets: {
      gateway: secretsOf('gateway'),
      api: secretsOf('api'),
      worker: secretsOf('worker'),
      kong: secretsOf('kong'),
      migrations: secretsOf('migrations'),
    },
    searchDomain: search.domain,
    searchMasterUserSecret: search.masterUserSecret,
    database: { primary: database.instance, replicas: database.replicas, users: database.appUsers },
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
    alertDestinationRequired: !options.review,
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
