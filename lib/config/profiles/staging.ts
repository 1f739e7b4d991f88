import type { ProfileInput } from '../profile-input';
import { BRIEF_CACHE_TTLS, BRIEF_POOL_MAX_PER_INSTANCE, SEOUL } from './seoul';

/** The brief's "initial" column: 3 WebSocket servers, 5 API pods, 2 read replicas. */
export const staging: ProfileInput = {
  name: 'staging',
  env: { account: '222222222222', ...SEOUL, availabilityZones: [...SEOUL.availabilityZones] },
  protectData: true,
  network: { vpcCidr: '10.1.0.0/16', natGateways: 3, flowLogRetentionDays: 30 },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'public-and-private',
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::222222222222:role/CoTalkPlatformAdmin'],
    graviton: false,
    nodeGroups: {
      system: { instanceTypes: ['m7i.xlarge'], minSize: 2, desiredSize: 3, maxSize: 6, diskSizeGiB: 80 },
      // 16 vCPU / 32 GB: the brief's WebSocket server.
      gateway: { instanceTypes: ['c7i.4xlarge'], minSize: 3, desiredSize: 3, maxSize: 10, diskSizeGiB: 80 },
      // 8 vCPU / 16 GB: the brief's API server.
      api: { instanceTypes: ['c7i.2xlarge'], minSize: 2, desiredSize: 2, maxSize: 4, diskSizeGiB: 80 },
    },
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 'db.m7g.2xlarge',
    readReplicas: 2,
    multiAz: true,
    allocatedStorageGiB: 200,
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
    cache: { nodeType: 'cache.r7g.large', shards: 2, replicasPerShard: 1 },
    pubsub: { nodeType: 'cache.r7g.large', replicas: 1 },
    streams: { nodeType: 'cache.r7g.large', replicas: 1, snapshotRetentionDays: 7 },
  },
  search: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'r7g.large.search',
    dataNodes: 3,
    volumeSizeGiB: 100,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 3,
      maxReplicas: 10,
      cpu: '14',
      memory: '26Gi',
      targetCpuPercent: 60,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 900,
    },
    api: { minReplicas: 5, maxReplicas: 10, cpu: '2', memory: '4Gi', targetCpuPercent: 70 },
    worker: { minReplicas: 2, maxReplicas: 6, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
    kong: { minReplicas: 2, maxReplicas: 6, cpu: '1', memory: '1Gi', targetCpuPercent: 70 },
  },
  app: {
    ...BRIEF_CACHE_TTLS,
    gatewayDrainSeconds: 120,
    deregistrationDelaySeconds: 30,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    allowedOrigins: ['https://staging.chat.example.com'],
  },
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
