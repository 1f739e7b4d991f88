import type { ProfileInput } from '../profile-input';
import { BRIEF_CACHE_TTLS, BRIEF_POOL_MAX_PER_INSTANCE, SEOUL } from './seoul';

/** Developer sandbox: smallest sizes, one NAT gateway, data that may be thrown away. */
export const dev: ProfileInput = {
  name: 'dev',
  env: { account: '111111111111', ...SEOUL, availabilityZones: [...SEOUL.availabilityZones] },
  protectData: false,
  network: { vpcCidr: '10.0.0.0/16', natGateways: 1, flowLogRetentionDays: 14 },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'public-and-private',
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::111111111111:role/CoTalkPlatformAdmin'],
    graviton: false,
    nodeGroups: {
      system: { instanceTypes: ['m7i.large'], minSize: 2, desiredSize: 2, maxSize: 3, diskSizeGiB: 50 },
      gateway: { instanceTypes: ['c7i.large'], minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGiB: 50 },
      api: { instanceTypes: ['c7i.large'], minSize: 1, desiredSize: 1, maxSize: 3, diskSizeGiB: 50 },
    },
  },
  database: {
    engineVersion: '17.6',
    instanceClass: 'db.t4g.medium',
    readReplicas: 0,
    multiAz: false,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 60,
    slowQueryMs: 500,
    poolMaxPerInstance: BRIEF_POOL_MAX_PER_INSTANCE,
    credentialRotationDays: 30,
  },
  redis: {
    engineVersion: '7.1',
    cache: { nodeType: 'cache.t4g.small', shards: 1, replicasPerShard: 1 },
    pubsub: { nodeType: 'cache.t4g.small', replicas: 1 },
    streams: { nodeType: 'cache.t4g.small', replicas: 1, snapshotRetentionDays: 1 },
  },
  search: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'm7g.large.search',
    dataNodes: 3,
    volumeSizeGiB: 20,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 1,
      maxReplicas: 2,
      cpu: '1',
      memory: '2Gi',
      targetCpuPercent: 70,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 300,
    },
    api: { minReplicas: 1, maxReplicas: 3, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
    worker: { minReplicas: 1, maxReplicas: 2, cpu: '250m', memory: '512Mi', targetCpuPercent: 70 },
    kong: { minReplicas: 1, maxReplicas: 2, cpu: '250m', memory: '512Mi', targetCpuPercent: 70 },
  },
  app: {
    ...BRIEF_CACHE_TTLS,
    gatewayDrainSeconds: 30,
    deregistrationDelaySeconds: 15,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    allowedOrigins: ['https://dev.chat.example.com'],
  },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    allowedIngressCidrs: ['0.0.0.0/0'],
    cloudFront: false,
    wafRateLimitPer5Minutes: 1000,
  },
  observability: {
    // dev may run without a subscriber; pass -c alertEmails=you@your-domain to get its alarms.
    alertEmails: [],
    alertHttpsEndpoints: [],
    // Every send traced: dev traffic is small and traces are what it is for.
    traceSampleRatio: 1,
    logRetentionDays: 14,
    metricsRetentionDays: 7,
    metricsVolumeGiB: 50,
    traceRetentionDays: 2,
    traceVolumeGiB: 20,
  },
};
