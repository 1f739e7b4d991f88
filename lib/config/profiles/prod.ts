import type { ProfileInput } from '../profile-input';
import { BRIEF_CACHE_TTLS, BRIEF_POOL_MAX_PER_INSTANCE, SEOUL } from './seoul';

/** The brief's "target" column: 10 WebSocket servers (1M connections), 20 API pods, 5 read replicas. */
export const prod: ProfileInput = {
  name: 'prod',
  env: { account: '333333333333', ...SEOUL, availabilityZones: [...SEOUL.availabilityZones] },
  protectData: true,
  network: { vpcCidr: '10.2.0.0/16', natGateways: 3, flowLogRetentionDays: 90 },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'private',
    publicAccessCidrs: [],
    adminRoleArns: ['arn:aws:iam::333333333333:role/CoTalkPlatformAdmin'],
    graviton: false,
    nodeGroups: {
      system: { instanceTypes: ['m7i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 9, diskSizeGiB: 100 },
      // 16 vCPU / 32 GB: the brief's WebSocket server.
      gateway: { instanceTypes: ['c7i.4xlarge'], minSize: 10, desiredSize: 10, maxSize: 20, diskSizeGiB: 100 },
      // 8 vCPU / 16 GB: the brief's API server; three 2-vCPU api pods per node.
      api: { instanceTypes: ['c7i.2xlarge'], minSize: 2, desiredSize: 2, maxSize: 8, diskSizeGiB: 100 },
    },
  },
  database: {
    engineVersion: '17.6',
    // 32 vCPU / 128 GB: the brief's PostgreSQL.
    instanceClass: 'db.m7g.8xlarge',
    readReplicas: 5,
    multiAz: true,
    allocatedStorageGiB: 1000,
    maxAllocatedStorageGiB: 8000,
    backupRetentionDays: 35,
    performanceInsightsRetentionDays: 93,
    monitoringIntervalSeconds: 15,
    slowQueryMs: 200,
    poolMaxPerInstance: BRIEF_POOL_MAX_PER_INSTANCE,
    credentialRotationDays: 30,
  },
  redis: {
    engineVersion: '7.1',
    cache: { nodeType: 'cache.r7g.xlarge', shards: 3, replicasPerShard: 2 },
    pubsub: { nodeType: 'cache.r7g.xlarge', replicas: 2 },
    streams: { nodeType: 'cache.r7g.xlarge', replicas: 2, snapshotRetentionDays: 35 },
  },
  search: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'r7g.xlarge.search',
    dataNodes: 3,
    volumeSizeGiB: 500,
    dedicatedMasterNodes: 3,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 10,
      maxReplicas: 20,
      cpu: '14',
      memory: '26Gi',
      targetCpuPercent: 60,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 1800,
    },
    api: { minReplicas: 5, maxReplicas: 20, cpu: '2', memory: '4Gi', targetCpuPercent: 70 },
    worker: { minReplicas: 3, maxReplicas: 12, cpu: '1', memory: '2Gi', targetCpuPercent: 70 },
    kong: { minReplicas: 3, maxReplicas: 12, cpu: '1', memory: '2Gi', targetCpuPercent: 70 },
  },
  app: {
    ...BRIEF_CACHE_TTLS,
    gatewayDrainSeconds: 300,
    deregistrationDelaySeconds: 30,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    allowedOrigins: ['https://chat.example.com'],
  },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:333333333333:certificate/00000000-0000-4000-8000-000000000003',
    allowedIngressCidrs: ['0.0.0.0/0'],
    cloudFront: false,
    wafRateLimitPer5Minutes: 3000,
  },
  observability: {
    // Named at deploy time (-c alertEmails=... / -c alertHttpsEndpoints=...): see the README.
    alertEmails: [],
    alertHttpsEndpoints: [],
    // 1% of sends: about 500 traces/s at the target load of 50,000 sends/s.
    traceSampleRatio: 0.01,
    logRetentionDays: 90,
    metricsRetentionDays: 30,
    metricsVolumeGiB: 500,
    traceRetentionDays: 7,
    traceVolumeGiB: 200,
  },
};
