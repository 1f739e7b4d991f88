import type { ProfileInput } from '../profile-input';
import { BRIEF_CACHE_TTLS, BRIEF_POOL_MAX_PER_INSTANCE, SEOUL } from './seoul';

/** The brief's "initial" column: 3 WebSocket servers, 5 API pods, 2 read replicas. */
export const staging: ProfileInput = {
  name: 'staging',
  env: { account: '222222222222', ...SEOUL, availabilityZones: [...SEOUL.availabilityZones] },
  protectData: true,
  network: {
    vpcCidr: '10.1.0.0/16',
    // One NAT gateway, as in prod: staging rehearses prod's shape, not a zone outage.
    natGateways: 1,
    flowLogRetentionDays: 30,
    // None, as in prod (see there).
    interfaceEndpoints: {},
  },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'public-and-private',
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::222222222222:role/CoTalkPlatformAdmin'],
    graviton: true,
    nodeGroups: {
      system: {
        instanceTypes: ['m7g.large'],
        minSize: 2,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGiB: 30,
        capacityType: 'ON_DEMAND',
      },
      // prod's server size (4 vCPU / 8 GB), three of them: the initial column.
      gateway: {
        instanceTypes: ['c7g.xlarge', 'c6g.xlarge'],
        minSize: 3,
        desiredSize: 3,
        maxSize: 10,
        diskSizeGiB: 20,
        capacityType: 'SPOT',
        ceiling: { vcpu: 16, memoryGiB: 32 },
      },
      // The initial column's 5 api pods on two nodes (seven fit one), one per zone of two.
      api: {
        instanceTypes: ['c7g.xlarge', 'c6g.xlarge'],
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        diskSizeGiB: 20,
        capacityType: 'SPOT',
        ceiling: { vcpu: 8, memoryGiB: 16 },
      },
    },
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 'db.t4g.medium',
    ceiling: { vcpu: 32, memoryGiB: 128 },
    readReplicas: 2,
    multiAz: true,
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 1000,
    backupRetentionDays: 14,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 30,
    slowQueryMs: 250,
    poolMaxPerInstance: BRIEF_POOL_MAX_PER_INSTANCE,
    credentialRotationDays: 30,
  },
  redis: {
    engineVersion: '7.1',
    cache: { nodeType: 'cache.t4g.medium', shards: 1, replicasPerShard: 1 },
    pubsub: { nodeType: 'cache.t4g.medium', replicas: 1 },
    streams: { nodeType: 'cache.t4g.medium', replicas: 1, snapshotRetentionDays: 7 },
  },
  search: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'm7g.large.search',
    dataNodes: 3,
    volumeSizeGiB: 50,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 3,
      maxReplicas: 10,
      cpu: '3500m',
      memory: '6Gi',
      targetCpuPercent: 60,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 900,
    },
    api: { minReplicas: 5, maxReplicas: 10, cpu: '500m', memory: '768Mi', targetCpuPercent: 70 },
    worker: { minReplicas: 2, maxReplicas: 6, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
    kong: { minReplicas: 2, maxReplicas: 6, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
  },
  app: {
    ...BRIEF_CACHE_TTLS,
    // With the 30 s deregistration delay, within a Spot node's two-minute interruption notice.
    gatewayDrainSeconds: 90,
    deregistrationDelaySeconds: 30,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    kongKeysRefreshSeconds: 300,
    allowedOrigins: ['https://staging.chat.example.com'],
    gatewayHeartbeatIntervalSeconds: 30,
  },
  // The brief's initial column: 3 servers at the target column's 100,000 each.
  capacity: { targetConnections: 300_000, targetPerServer: 100_000 },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:222222222222:certificate/00000000-0000-4000-8000-000000000002',
    allowedIngressCidrs: ['0.0.0.0/0'],
    cloudFront: false,
    wafRateLimitPer5Minutes: 2000,
  },
  observability: {
    // Named at deploy time (-c alertEmails=... / -c alertHttpsEndpoints=...): see the README.
    alertEmails: [],
    alertHttpsEndpoints: [],
    // 10%: enough traces of every path at staging volume.
    traceSampleRatio: 0.1,
    logRetentionDays: 30,
    metricsRetentionDays: 15,
    metricsVolumeGiB: 100,
    traceRetentionDays: 3,
    traceVolumeGiB: 50,
  },
};
