import type { ProfileInput } from '../profile-input';
import { deriveProfile } from './derive';
import { prod } from './prod';

/** Developer sandbox: prod's but for the smallest sizes, data that may be thrown away. */
export const dev: ProfileInput = deriveProfile(prod, {
  name: 'dev',
  env: { account: '111111111111' },
  protectData: false,
  network: { vpcCidr: '10.0.0.0/16', flowLogRetentionDays: 14 },
  cluster: {
    endpointAccess: 'public-and-private',
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::111111111111:role/CoTalkPlatformAdmin'],
    nodeGroups: {
      system: { minSize: 2, desiredSize: 2, maxSize: 3 },
      gateway: { instanceTypes: ['c7g.large'], minSize: 1, desiredSize: 1, maxSize: 2, capacityType: 'ON_DEMAND' },
      api: { instanceTypes: ['c7g.large'], minSize: 1, desiredSize: 1, maxSize: 3, capacityType: 'ON_DEMAND' },
    },
  },
  database: {
    readReplicas: 0,
    multiAz: false,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 60,
    slowQueryMs: 500,
  },
  redis: {
    cache: { nodeType: 'cache.t4g.small' },
    pubsub: { nodeType: 'cache.t4g.small' },
    streams: { nodeType: 'cache.t4g.small', snapshotRetentionDays: 1 },
  },
  search: { volumeSizeGiB: 20 },
  workloads: {
    gateway: {
      minReplicas: 1,
      maxReplicas: 2,
      cpu: '1',
      memory: '2Gi',
      targetCpuPercent: 70,
      scaleDownStabilizationSeconds: 300,
    },
    api: { minReplicas: 1, maxReplicas: 3, memory: '1Gi' },
    worker: { minReplicas: 1, maxReplicas: 2, cpu: '250m', memory: '512Mi' },
    kong: { minReplicas: 1, maxReplicas: 2, cpu: '250m', memory: '512Mi' },
  },
  app: { gatewayDrainSeconds: 30, deregistrationDelaySeconds: 15, allowedOrigins: ['https://dev.chat.example.com'] },
  // A sandbox: one small server.
  capacity: { targetConnections: 10_000, targetPerServer: 10_000 },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    wafRateLimitPer5Minutes: 1000,
  },
  // No alert destination, as in prod; dev alone may run without one: pass
  // -c alertEmails=you@your-domain to get its alarms.
  observability: {
    // Every send traced: dev traffic is small and traces are what it is for.
    traceSampleRatio: 1,
    logRetentionDays: 14,
    metricsRetentionDays: 7,
    metricsVolumeGiB: 50,
    traceRetentionDays: 2,
    traceVolumeGiB: 20,
  },
});
