import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Profile } from '../config';
import { DATA_PORTS } from '../contract';
import { dataProtection, dataStoreKey, type DataStoreProps } from './data-store';
import { RedisCluster } from './redis-cluster';

/** Props for {@link RedisClusters}: protecting the data snapshots the streams cluster on delete. */
export interface RedisClustersProps extends DataStoreProps {
  /** Engine, node types, shard and replica counts from the profile. */
  readonly redis: Profile['redis'];
  /** The environment's name, for the ids of the RBAC users and user groups. */
  readonly environment: string;
}

/**
 * The brief's three Redis clusters, kept apart so that a cache stampede cannot delay pub/sub
 * fan-out and stream consumers never compete with either for memory:
 * - `cache`: the L2 cache (user info, friend lists), cluster mode with the profile's shards;
 * - `pubsub`: message fan-out between gateway pods; holds nothing durable;
 * - `streams`: the message streams the worker consumes; snapshotted daily.
 */
export class RedisClusters extends Construct {
  /** The L2 cache, in cluster mode. */
  public readonly cache: RedisCluster;
  /** Pub/sub fan-out between gateway pods. */
  public readonly pubsub: RedisCluster;
  /** Redis streams consumed by the worker. */
  public readonly streams: RedisCluster;
  /** Encrypts all three clusters, their users' passwords and their logs. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: RedisClustersProps) {
    super(scope, id);
    const { redis } = props;
    const { protect, removalPolicy: supportingRemovalPolicy } = dataProtection(props);

    const key = dataStoreKey(this, 'Co-Talk Redis: data at rest, user passwords, slow logs', supportingRemovalPolicy);
    this.key = key;

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Co-Talk Redis: isolated subnets of the three zones',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const common = {
      vpc: props.vpc,
      subnetGroup,
      workloadSecurityGroup: props.workloadSecurityGroup,
      key,
      engineVersion: redis.engineVersion,
      environment: props.environment,
      logRetention: props.logRetention,
      supportingRemovalPolicy,
    };

    // Cache and pub/sub hold nothing that outlives a restart: no snapshot on delete.
    this.cache = new RedisCluster(this, 'Cache', {
      ...common,
      description: 'L2 cache',
      role: 'cache',
      port: DATA_PORTS.cache,
      nodeType: redis.cache.nodeType,
      shards: redis.cache.shards,
      replicasPerShard: redis.cache.replicasPerShard,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.pubsub = new RedisCluster(this, 'Pubsub', {
      ...common,
      description: 'pub/sub fan-out',
      role: 'pubsub',
      port: DATA_PORTS.pubsub,
      nodeType: redis.pubsub.nodeType,
      replicasPerShard: redis.pubsub.replicas,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.streams = new RedisCluster(this, 'Streams', {
      ...common,
      description: 'message streams',
      role: 'streams',
      port: DATA_PORTS.streams,
      nodeType: redis.streams.nodeType,
      replicasPerShard: redis.streams.replicas,
      snapshotRetentionDays: redis.streams.snapshotRetentionDays,
      removalPolicy: protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
  }
}
