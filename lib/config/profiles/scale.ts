import type { ProfileInput } from '../profile-input';
import { INTERFACE_ENDPOINT_REASONS } from './endpoints';
import { BRIEF_CACHE_TTLS, BRIEF_POOL_MAX_PER_INSTANCE, SEOUL } from './seoul';

/** The brief's "scale-out" column: 50 WebSocket servers (10M connections). */
export const scale: ProfileInput = {
  name: 'scale',
  env: { account: '444444444444', ...SEOUL, availabilityZones: [...SEOUL.availabilityZones] },
  protectData: true,
  network: {
    vpcCidr: '10.3.0.0/16',
    // One per zone: at 80+ nodes a zone outage must not take the other zones' egress with it.
    natGateways: 3,
    flowLogRetentionDays: 90,
    // All of them: at this size NAT data charges and the NAT's share of every AWS call outweigh $427 a month.
    interfaceEndpoints: { ...INTERFACE_ENDPOINT_REASONS },
  },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'private',
    publicAccessCidrs: [],
    adminRoleArns: ['arn:aws:iam::444444444444:role/CoTalkPlatformAdmin'],
    graviton: true,
    nodeGroups: {
      system: {
        instanceTypes: ['m7g.2xlarge'],
        minSize: 3,
        desiredSize: 6,
        maxSize: 12,
        diskSizeGiB: 100,
        capacityType: 'ON_DEMAND',
      },
      // The vertical size (16 vCPU / 32 GB) for 200,000 connections a server; On-Demand, since a
      // 5-minute drain does not fit a Spot node's two-minute notice.
      gateway: {
        instanceTypes: ['c7g.4xlarge'],
        minSize: 50,
        desiredSize: 50,
        maxSize: 60,
        diskSizeGiB: 100,
        capacityType: 'ON_DEMAND',
        ceiling: { vcpu: 16, memoryGiB: 32 },
      },
      // The vertical size (8 vCPU / 16 GB), three 2-vCPU api pods a node.
      api: {
        instanceTypes: ['c7g.2xlarge', 'c6g.2xlarge'],
        minSize: 7,
        desiredSize: 7,
        maxSize: 20,
        diskSizeGiB: 100,
        capacityType: 'SPOT',
        ceiling: { vcpu: 8, memoryGiB: 16 },
      },
    },
  },
  database: {
    engineVersion: '17.6',
    // The vertical size: 32 vCPU / 128 GB.
    instanceClass: 'db.m7g.8xlarge',
    ceiling: { vcpu: 32, memoryGiB: 128 },
    // The brief: past 5 replicas, shard instead of adding more.
    readReplicas: 5,
    multiAz: true,
    allocatedStorageGiB: 2000,
    maxAllocatedStorageGiB: 16000,
    backupRetentionDays: 35,
    performanceInsightsRetentionDays: 93,
    monitoringIntervalSeconds: 15,
    slowQueryMs: 200,
    poolMaxPerInstance: BRIEF_POOL_MAX_PER_INSTANCE,
    credentialRotationDays: 30,
  },
  redis: {
    engineVersion: '7.1',
    // Capacity in shards for the cache; the larger node where one primary carries everything (pub/sub fan-out to 50 servers).
    cache: { nodeType: 'cache.r7g.xlarge', shards: 6, replicasPerShard: 2 },
    pubsub: { nodeType: 'cache.r7g.2xlarge', replicas: 2 },
    streams: { nodeType: 'cache.r7g.xlarge', replicas: 2, snapshotRetentionDays: 35 },
  },
  search: {
    engineVersion: '2.19',
    dataNodeInstanceType: 'r7g.2xlarge.search',
    dataNodes: 6,
    volumeSizeGiB: 1000,
    dedicatedMasterNodes: 3,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 50,
      maxReplicas: 60,
      cpu: '14',
      memory: '26Gi',
      targetCpuPercent: 60,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 1800,
    },
    api: { minReplicas: 20, maxReplicas: 60, cpu: '2', memory: '4Gi', targetCpuPercent: 70 },
    worker: { minReplicas: 6, maxReplicas: 24, cpu: '1', memory: '2Gi', targetCpuPercent: 70 },
    kong: { minReplicas: 6, maxReplicas: 24, cpu: '1', memory: '2Gi', targetCpuPercent: 70 },
  },
  app: {
    ...BRIEF_CACHE_TTLS,
    gatewayDrainSeconds: 300,
    deregistrationDelaySeconds: 30,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    kongKeysRefreshSeconds: 300,
    allowedOrigins: ['https://chat.example.com'],
    gatewayHeartbeatIntervalSeconds: 30,
  },
  // The brief's scale-out column: 10M connections on 50 servers.
  capacity: { targetConnections: 10_000_000, targetPerServer: 200_000 },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:444444444444:certificate/00000000-0000-4000-8000-000000000004',
    allowedIngressCidrs: ['0.0.0.0/0'],
    cloudFront: false,
    wafRateLimitPer5Minutes: 3000,
  },
  observability: {
    // Named at deploy time (-c alertEmails=... / -c alertHttpsEndpoints=...): see the README.
    alertEmails: [],
    alertHttpsEndpoints: [],
    // 0.1%: the scale-out volume would swamp one Jaeger at a higher ratio.
    traceSampleRatio: 0.001,
    logRetentionDays: 90,
    metricsRetentionDays: 30,
    metricsVolumeGiB: 1000,
    traceRetentionDays: 7,
    traceVolumeGiB: 500,
  },
};
