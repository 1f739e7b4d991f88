import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import { type AssemblyStack, readAssembly } from '../../tools/common/assembly';

/** What differs between two fixture revisions. */
export interface FixtureOptions {
  /** @default 'chat-db' */
  readonly dbInstanceIdentifier?: string;
  /** @default 3 */
  readonly gatewayNodes?: number;
  /** @default 'c7i.xlarge' */
  readonly gatewayInstanceType?: string;
  /** Run the gateway node group on Spot with these types (the first is `gatewayInstanceType`'s place). @default On-Demand */
  readonly gatewaySpotTypes?: string[];
  /** The primary's class. @default 'db.m7g.large' */
  readonly dbInstanceClass?: string;
  /** Replicas of the gateway Deployment in the cluster's manifest. @default 2 */
  readonly gatewayReplicas?: number;
  /** Opens the workload security group to the internet on 5432. @default false */
  readonly openToInternet?: boolean;
  /** Grants the node role `s3:*` on everything. @default false */
  readonly broadGrant?: boolean;
  /** @default true */
  readonly withCache?: boolean;
  /** `replicas` in the values of the metrics-server Helm release. @default 1 */
  readonly metricsServerReplicas?: number;
  /** Cross-stack references through `Fn::GetStackOutput`, as the project's cdk.json sets. @default false (Fn::ImportValue) */
  readonly weakReferences?: boolean;
}

/**
 * A small app shaped like Co-Talk's (network, data, cluster with node group and manifest, load
 * balancers), synthesized for real, so the tools read genuine CDK output rather than
 * hand-written JSON.
 */
export function synthFixture(options: FixtureOptions = {}): AssemblyStack[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-fixture-'));
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-path-metadata': true,
      ...(options.weakReferences ? { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } : {}),
    },
    // The tools read the templates; CloudFormation validation (test/nag.test.ts's job) would only
    // add time and warnings about this fixture's deliberately loose rules.
    builtinCloudFormationValidation: false,
  });
  const env = { account: '111111111111', region: 'ap-northeast-2' };

  const network = new Stack(app, 'Network', { env });
  const vpc = new ec2.Vpc(network, 'Vpc', {
    availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b'],
    natGateways: 2,
  });
  const workload = new ec2.SecurityGroup(network, 'WorkloadSecurityGroup', { vpc });
  if (options.openToInternet) workload.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(5432), 'mistake');

  const data = new Stack(app, 'Data', { env });
  const database = new rds.DatabaseInstance(data, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
    instanceType: new ec2.InstanceType((options.dbInstanceClass ?? 'db.m7g.large').replace(/^db\./, '')),
    instanceIdentifier: options.dbInstanceIdentifier ?? 'chat-db',
    vpc,
    multiAz: true,
    allocatedStorage: 100,
    storageType: rds.StorageType.GP3,
    storageEncrypted: true,
    removalPolicy: RemovalPolicy.SNAPSHOT,
  });
  new rds.DatabaseInstanceReadReplica(data, 'ReadReplica', {
    sourceDatabaseInstance: database,
    instanceType: new ec2.InstanceType('m7g.large'),
    vpc,
  });
  if (options.withCache ?? true) {
    const subnets = new elasticache.CfnSubnetGroup(data, 'CacheSubnets', {
      description: 'cache',
      subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
    });
    new elasticache.CfnReplicationGroup(data, 'Cache', {
      replicationGroupDescription: 'cache',
      engine: 'redis',
      cacheNodeType: 'cache.r7g.large',
      numNodeGroups: 2,
      replicasPerNodeGroup: 1,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [workload.securityGroupId],
    });
  }
  new opensearch.Domain(data, 'Search', {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    capacity: {
      dataNodes: 3,
      dataNodeInstanceType: 'r7g.large.search',
      masterNodes: 3,
      masterNodeInstanceType: 'm7g.large.search',
      multiAzWithStandbyEnabled: false,
    },
    ebs: { volumeSize: 100, volumeType: ec2.EbsDeviceVolumeType.GP3 },
    removalPolicy: RemovalPolicy.RETAIN,
  });

  const clusterStack = new Stack(app, 'Cluster', { env });
  const cluster = new eks.Cluster(clusterStack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    vpc,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    defaultCapacity: 0,
    kubectlProviderOptions: { kubectlLayer: new KubectlV36Layer(clusterStack, 'KubectlLayer') },
  });
  const nodes = cluster.addNodegroupCapacity('Gateway', {
    instanceTypes: (options.gatewaySpotTypes ?? [options.gatewayInstanceType ?? 'c7i.xlarge']).map(
      (t) => new ec2.InstanceType(t),
    ),
    capacityType: options.gatewaySpotTypes ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
    labels: { 'co-talk.io/node-role': 'gateway' },
    minSize: 1,
    desiredSize: options.gatewayNodes ?? 3,
    maxSize: 10,
    diskSize: 50,
  });
  if (options.broadGrant)
    nodes.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
  cluster.addManifest('Gateway', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gateway', namespace: 'chat' },
    spec: {
      replicas: options.gatewayReplicas ?? 2,
      template: { spec: { containers: [{ name: 'gateway', image: 'gateway:1' }] } },
    },
  });
  cluster.addHelmChart('MetricsServer', {
    chart: 'metrics-server',
    repository: 'https://kubernetes-sigs.github.io/metrics-server/',
    version: '3.12.2',
    namespace: 'kube-system',
    values: { replicas: options.metricsServerReplicas ?? 1 },
  });
  new elbv2.ApplicationLoadBalancer(clusterStack, 'Alb', { vpc, internetFacing: true });
  new elbv2.NetworkLoadBalancer(clusterStack, 'Nlb', { vpc, internetFacing: true });

  app.synth();
  try {
    return readAssembly(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
