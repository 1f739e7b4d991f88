import type { ProfileInput } from '../profile-input';

/**
 * The brief's "target" column: 10 WebSocket servers (1M connections), 20 API pods, 5 read replicas.
 * The other profiles derive from this one and state only what differs from it.
 */
export const prod: ProfileInput = {
  name: 'prod',
  // The brief's default region, Seoul; zones pinned so synth never looks them up.
  env: {
    account: '333333333333',
    region: 'ap-northeast-2',
    availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  },
  protectData: true,
  network: {
    vpcCidr: '10.2.0.0/16',
    // One NAT gateway ($43 a month instead of $129 for three): the design's budget has no line for
    // NAT. A zone-a outage stops egress (image pulls, AWS APIs) for every zone until it is back;
    // pods already running keep serving, since the load balancers and data stores are in the VPC.
    natGateways: 1,
    flowLogRetentionDays: 90,
    // None ($28 a month each across three zones, $427 for all fifteen): AWS API calls go through the
    // NAT gateway, and image layers through the free S3 gateway endpoint. Add one here (with
    // INTERFACE_ENDPOINT_REASONS) when its reason outweighs its cost.
    interfaceEndpoints: {},
  },
  cluster: {
    kubernetesVersion: '1.36',
    endpointAccess: 'private',
    publicAccessCidrs: [],
    adminRoleArns: ['arn:aws:iam::333333333333:role/CoTalkPlatformAdmin'],
    graviton: true,
    nodeGroups: {
      // Add-ons, Kong, the worker and monitoring; On-Demand for the controllers and Prometheus's volume.
      system: {
        instanceTypes: ['m7g.large'],
        minSize: 3,
        desiredSize: 3,
        maxSize: 9,
        diskSizeGiB: 30,
        capacityType: 'ON_DEMAND',
      },
      // 4 vCPU / 8 GB at about $120 a month: the design's cost table (10 servers, $1,200); 100,000
      // connections at about 5 KB each take under 1 GB. Spot: a drained server's clients reconnect to the others.
      gateway: {
        instanceTypes: ['c7g.xlarge', 'c6g.xlarge'],
        minSize: 10,
        desiredSize: 10,
        maxSize: 20,
        diskSizeGiB: 20,
        capacityType: 'SPOT',
        // The design's vertical size: the WebSocket server may grow to 16 vCPU / 32 GB.
        ceiling: { vcpu: 16, memoryGiB: 32 },
      },
      // Seven 500m api pods per 4 vCPU / 8 GB node: the target column's 20 pods on 3 nodes.
      api: {
        instanceTypes: ['c7g.xlarge', 'c6g.xlarge'],
        minSize: 3,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGiB: 20,
        capacityType: 'SPOT',
        // The design's vertical size: the API server may grow to 8 vCPU / 16 GB.
        ceiling: { vcpu: 8, memoryGiB: 16 },
      },
    },
  },
  database: {
    engineVersion: '17.6',
    // 2 vCPU / 4 GB, burstable: seven instances (Multi-AZ primary and 5 replicas) within the design's $500.
    instanceClass: 'db.t4g.medium',
    // The design's vertical size: PostgreSQL may grow to 32 vCPU / 128 GB.
    ceiling: { vcpu: 32, memoryGiB: 128 },
    readReplicas: 5,
    multiAz: true,
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 8000,
    backupRetentionDays: 35,
    performanceInsightsRetentionDays: 93,
    monitoringIntervalSeconds: 15,
    slowQueryMs: 200,
    // The brief's database pool: at most 50 connections per app instance.
    poolMaxPerInstance: 50,
    credentialRotationDays: 30,
  },
  redis: {
    engineVersion: '7.1',
    // Six 2 vCPU / 4 GB nodes (about $57 each): the design's $600 for three clusters.
    cache: { nodeType: 'cache.t4g.medium', shards: 1, replicasPerShard: 1 },
    pubsub: { nodeType: 'cache.t4g.medium', replicas: 1 },
    streams: { nodeType: 'cache.t4g.medium', replicas: 1, snapshotRetentionDays: 35 },
  },
  search: {
    engineVersion: '2.19',
    // Three 2 vCPU / 8 GB data nodes, no dedicated masters: the design's $400.
    dataNodeInstanceType: 'm7g.large.search',
    dataNodes: 3,
    volumeSizeGiB: 50,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  workloads: {
    gateway: {
      minReplicas: 10,
      maxReplicas: 20,
      cpu: '3500m',
      memory: '6Gi',
      targetCpuPercent: 60,
      targetMemoryPercent: 80,
      scaleDownStabilizationSeconds: 1800,
    },
    // The target column: 20 api pods at rest.
    api: { minReplicas: 20, maxReplicas: 40, cpu: '500m', memory: '768Mi', targetCpuPercent: 70 },
    worker: { minReplicas: 3, maxReplicas: 12, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
    kong: { minReplicas: 3, maxReplicas: 12, cpu: '500m', memory: '1Gi', targetCpuPercent: 70 },
  },
  app: {
    // The brief's cache TTLs: L1 in-process one minute, L2 Redis one hour.
    l1CacheTtlSeconds: 60,
    l2CacheTtlSeconds: 3600,
    // With the 30 s deregistration delay, within a Spot node's two-minute interruption notice.
    gatewayDrainSeconds: 90,
    deregistrationDelaySeconds: 30,
    apiRateLimitPerMinute: 600,
    apiMaxRequestBodyKiB: 1024,
    apiPublicRateLimitPerMinute: 30,
    accessTokenTtlSeconds: 3600,
    kongKeysRefreshSeconds: 300,
    allowedOrigins: ['https://chat.example.com'],
    gatewayHeartbeatIntervalSeconds: 30,
  },
  // The brief's target column: 1M connections on 10 servers.
  capacity: { targetConnections: 1_000_000, targetPerServer: 100_000 },
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
