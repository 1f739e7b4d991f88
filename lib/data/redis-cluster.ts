import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RedisApp, RedisRole } from '../contract';
import { dataStoreSecurityGroup } from './data-store';
import { RedisAccessControl, type RedisUser } from './redis-access-control';

/** Props for {@link RedisCluster}. */
export interface RedisClusterProps {
  /** What the cluster is for; becomes the replication group's description. */
  readonly description: string;
  /** Its role: which apps get a user on it, with which rules (`lib/contract/redis-acl.ts`). */
  readonly role: RedisRole;
  /** The environment's name, for the ids of its users and user group. */
  readonly environment: string;
  /** The VPC of the subnet group. */
  readonly vpc: ec2.IVpc;
  /** The subnet group over the isolated subnets of the three zones. */
  readonly subnetGroup: elasticache.CfnSubnetGroup;
  /** The only group allowed to connect. */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts the data at rest, the users' password secrets and the slow log. */
  readonly key: kms.IKey;
  /** The port the nodes listen on; every cluster has its own. */
  readonly port: number;
  /** Redis OSS engine version, e.g. 7.1. */
  readonly engineVersion: string;
  /** Node type, e.g. cache.r7g.large. */
  readonly nodeType: string;
  /**
   * Shards; set it to run in cluster mode (keys spread over shards).
   * @default - cluster mode disabled: one primary and its replicas
   */
  readonly shards?: number;
  /** Replicas per shard (or of the single primary), at least 1 for automatic failover. */
  readonly replicasPerShard: number;
  /**
   * Days of daily snapshots to keep.
   * @default 0 - no snapshots
   */
  readonly snapshotRetentionDays?: number;
  /** How long the slow log is kept. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the replication group when the stack deletes it. */
  readonly removalPolicy: RemovalPolicy;
  /** What happens to the key-encrypted secrets and the log group when the stack deletes them. */
  readonly supportingRemovalPolicy: RemovalPolicy;
}

/**
 * One ElastiCache for Redis OSS replication group: TLS required, encrypted at rest with the
 * given key, RBAC users per app (no AUTH token, the `default` user off), Multi-AZ with automatic
 * failover, isolated subnets.
 */
export class RedisCluster extends Construct {
  /** The replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The address clients connect to: the configuration endpoint in cluster mode, else the primary. */
  public readonly endpoint: string;
  /**
   * The reader endpoint, which balances over the replicas.
   * Undefined in cluster mode, where clients discover replicas from the configuration endpoint.
   */
  public readonly readerEndpoint?: string;
  /** The port the nodes listen on. */
  public readonly port: number;
  /** Whether keys are spread over shards (clients must speak the cluster protocol). */
  public readonly clusterMode: boolean;
  /** The group of the nodes: this cluster's port from the workload group only. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Each app's user on this cluster, by app: its name and its password secret. */
  public readonly users: Partial<Record<RedisApp, RedisUser>>;

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    this.port = props.port;
    this.clusterMode = props.shards !== undefined;

    this.securityGroup = dataStoreSecurityGroup(this, props, props.port, {
      group: `Co-Talk ${props.description}: accepts the workloads only`,
      ingress: 'Redis from the workloads',
    });

    const access = new RedisAccessControl(this, 'Access', {
      role: props.role,
      environment: props.environment,
      description: props.description,
      key: props.key,
      removalPolicy: props.supportingRemovalPolicy,
    });
    this.users = access.users;

    const slowLog = new logs.LogGroup(this, 'SlowLog', {
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.supportingRemovalPolicy,
    });

    const snapshots = props.snapshotRetentionDays ?? 0;
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: `Co-Talk ${props.description}`,
      engine: 'redis',
      engineVersion: props.engineVersion,
      cacheNodeType: props.nodeType,
      port: props.port,
      ...(this.clusterMode
        ? {
            clusterMode: 'enabled',
            cacheParameterGroupName: 'default.redis7.cluster.on',
            numNodeGroups: props.shards,
            replicasPerNodeGroup: props.replicasPerShard,
          }
        : {
            clusterMode: 'disabled',
            cacheParameterGroupName: 'default.redis7',
            numCacheClusters: props.replicasPerShard + 1,
          }),
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      cacheSubnetGroupName: props.subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // Enabled at creation, TLS is required outright; TransitEncryptionMode exists only to
      // migrate a running cluster through `preferred`, and is left unset.
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.key.keyArn,
      // RBAC (Redis 6+, TLS required): each app signs in as its own user.
      userGroupIds: [access.userGroup.ref],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: snapshots,
      ...(snapshots > 0 ? { snapshotWindow: '17:00-18:00' } : {}),
      preferredMaintenanceWindow: 'sun:18:30-sun:19:30',
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
          logFormat: 'json',
          logType: 'slow-log',
        },
      ],
    });
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy);
    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC6',
      reason:
        'Authentication is RBAC (UserGroupIds: a user and password per app, the default user off), which replaces the AUTH token the rule looks for',
    });

    this.endpoint = this.clusterMode
      ? this.replicationGroup.attrConfigurationEndPointAddress
      : this.replicationGroup.attrPrimaryEndPointAddress;
    this.readerEndpoint = this.clusterMode ? undefined : this.replicationGroup.attrReaderEndPointAddress;
  }
}
