import type { ProfileInput } from '../profile-input';
import { deriveProfile } from './derive';
import { prod } from './prod';

/**
 * The brief's "initial" column: 3 WebSocket servers, 5 API pods, 2 read replicas. prod's shape (one
 * NAT gateway, no interface endpoints, prod's node and pod sizes), fewer of each, shorter retention.
 */
export const staging: ProfileInput = deriveProfile(prod, {
  name: 'staging',
  env: { account: '222222222222' },
  network: { vpcCidr: '10.1.0.0/16', flowLogRetentionDays: 30 },
  cluster: {
    endpointAccess: 'public-and-private',
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::222222222222:role/CoTalkPlatformAdmin'],
    nodeGroups: {
      system: { minSize: 2, desiredSize: 3, maxSize: 6 },
      // prod's server size (4 vCPU / 8 GB), three of them: the initial column.
      gateway: { minSize: 3, desiredSize: 3, maxSize: 10 },
      // The initial column's 5 api pods on two nodes (seven fit one), one per zone of two.
      api: { minSize: 2, desiredSize: 2, maxSize: 4 },
    },
  },
  database: {
    readReplicas: 2,
    maxAllocatedStorageGiB: 1000,
    backupRetentionDays: 14,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 30,
    slowQueryMs: 250,
  },
  redis: { streams: { snapshotRetentionDays: 7 } },
  workloads: {
    gateway: { minReplicas: 3, maxReplicas: 10, scaleDownStabilizationSeconds: 900 },
    api: { minReplicas: 5, maxReplicas: 10 },
    worker: { minReplicas: 2, maxReplicas: 6 },
    kong: { minReplicas: 2, maxReplicas: 6 },
  },
  app: { allowedOrigins: ['https://staging.chat.example.com'] },
  // The brief's initial column: 3 servers at the target column's 100,000 each.
  capacity: { targetConnections: 300_000 },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:222222222222:certificate/00000000-0000-4000-8000-000000000002',
    wafRateLimitPer5Minutes: 2000,
  },
  observability: {
    // 10%: enough traces of every path at staging volume.
    traceSampleRatio: 0.1,
    logRetentionDays: 30,
    metricsRetentionDays: 15,
    metricsVolumeGiB: 100,
    traceRetentionDays: 3,
    traceVolumeGiB: 50,
  },
});
