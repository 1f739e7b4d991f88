import type { ProfileInput } from '../profile-input';
import { deriveProfile } from './derive';
import { INTERFACE_ENDPOINT_REASONS } from './endpoints';
import { prod } from './prod';

/** The brief's "scale-out" column: 50 WebSocket servers (10M connections); prod's but for these. */
export const scale: ProfileInput = deriveProfile(prod, {
  name: 'scale',
  env: { account: '444444444444' },
  network: {
    vpcCidr: '10.3.0.0/16',
    // One per zone: at 80+ nodes a zone outage must not take the other zones' egress with it.
    natGateways: 3,
    // All of them: at this size NAT data charges and the NAT's share of every AWS call outweigh $427 a month.
    interfaceEndpoints: { ...INTERFACE_ENDPOINT_REASONS },
  },
  cluster: {
    adminRoleArns: ['arn:aws:iam::444444444444:role/CoTalkPlatformAdmin'],
    nodeGroups: {
      system: { instanceTypes: ['m7g.2xlarge'], desiredSize: 6, maxSize: 12, diskSizeGiB: 100 },
      // The vertical size (16 vCPU / 32 GB) for 200,000 connections a server; On-Demand, since a
      // 5-minute drain does not fit a Spot node's two-minute notice.
      gateway: {
        instanceTypes: ['c7g.4xlarge'],
        minSize: 50,
        desiredSize: 50,
        maxSize: 60,
        diskSizeGiB: 100,
        capacityType: 'ON_DEMAND',
      },
      // The vertical size (8 vCPU / 16 GB), three 2-vCPU api pods a node.
      api: {
        instanceTypes: ['c7g.2xlarge', 'c6g.2xlarge'],
        minSize: 7,
        desiredSize: 7,
        maxSize: 20,
        diskSizeGiB: 100,
      },
    },
  },
  database: {
    // The vertical size: 32 vCPU / 128 GB.
    instanceClass: 'db.m7g.8xlarge',
    // The brief: past 5 replicas, shard instead of adding more.
    readReplicas: 5,
    allocatedStorageGiB: 2000,
    maxAllocatedStorageGiB: 16000,
  },
  redis: {
    // Capacity in shards for the cache; the larger node where one primary carries everything (pub/sub fan-out to 50 servers).
    cache: { nodeType: 'cache.r7g.xlarge', shards: 6, replicasPerShard: 2 },
    pubsub: { nodeType: 'cache.r7g.2xlarge', replicas: 2 },
    streams: { nodeType: 'cache.r7g.xlarge', replicas: 2 },
  },
  search: {
    dataNodeInstanceType: 'r7g.2xlarge.search',
    dataNodes: 6,
    volumeSizeGiB: 1000,
    dedicatedMasterNodes: 3,
  },
  workloads: {
    gateway: { minReplicas: 50, maxReplicas: 60, cpu: '14', memory: '26Gi' },
    api: { maxReplicas: 60, cpu: '2', memory: '4Gi' },
    worker: { minReplicas: 6, maxReplicas: 24, cpu: '1', memory: '2Gi' },
    kong: { minReplicas: 6, maxReplicas: 24, cpu: '1', memory: '2Gi' },
  },
  app: { gatewayDrainSeconds: 300 },
  // The brief's scale-out column: 10M connections on 50 servers.
  capacity: { targetConnections: 10_000_000, targetPerServer: 200_000 },
  edge: {
    certificateArn: 'arn:aws:acm:ap-northeast-2:444444444444:certificate/00000000-0000-4000-8000-000000000004',
  },
  observability: {
    // 0.1%: the scale-out volume would swamp one Jaeger at a higher ratio.
    traceSampleRatio: 0.001,
    metricsVolumeGiB: 1000,
    traceVolumeGiB: 500,
  },
});
