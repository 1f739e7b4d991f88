import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALARM_THRESHOLDS as T } from './alarm-thresholds';

/** Props for {@link ChatMonitoring}. */
export interface ChatMonitoringProps {
  /** Addresses every alarm is e-mailed to (each confirms its subscription once). */
  readonly alertEmails: readonly string[];
  /** HTTPS endpoints (incident tools) every alarm is posted to. */
  readonly alertHttpsEndpoints: readonly string[];
}

/** Node counts the cluster's managed node groups add up to. */
export interface ClusterCapacity {
  /** The EKS cluster name (the Container Insights dimension). */
  readonly clusterName: string;
  /** Sum of the node groups' minimum sizes. */
  readonly minNodes: number;
  /** Sum of the node groups' maximum sizes. */
  readonly maxNodes: number;
}

/** The PostgreSQL primary and replicas, with the sizes the thresholds derive from. */
export interface MonitoredDatabase {
  /** The primary. */
  readonly instance: rds.IDatabaseInstance;
  /** The read replicas. */
  readonly replicas: readonly rds.IDatabaseInstance[];
  /** Storage allocated to each instance. */
  readonly allocatedStorageGiB: number;
  /** Most connections the app pods can open at their maximum scale (pods x pool size). */
  readonly maxAppConnections: number;
}

/** One Redis replication group, by the ids of its member clusters (one node each). */
export interface MonitoredRedis {
  /** Used in alarm descriptions: `cache`, `pubsub`, `streams`. */
  readonly label: string;
  /**
   * Every member cluster id. Which member is a primary changes with failover, so replication
   * lag is watched on all of them (a primary reports none, which does not breach).
   */
  readonly memberClusterIds: readonly string[];
}

/** GiB to bytes, for storage thresholds. */
const GIB = 1024 ** 3;

/**
 * Every CloudWatch alarm of the environment, created through one construct and sent to one
 * encrypted SNS topic. Thresholds come from `alarm-thresholds.ts`.
 */
export class ChatMonitoring extends Construct {
  /** The topic alarms notify; subscribe on-call tools to it. */
  public readonly topic: sns.Topic;
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: ChatMonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Co-Talk alarm notifications',
      enableKeyRotation: true,
    });
    // CloudWatch publishes to the encrypted topic, so it needs the key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    for (const address of props.alertEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    for (const url of props.alertHttpsEndpoints) this.topic.addSubscription(new subscriptions.UrlSubscription(url));
    this.action = new actions.SnsAction(this.topic);
  }

  /** ALB: 5xx rate, unhealthy Kong targets, and fewer healthy ones than Kong's minimum. */
  public monitorRestLoadBalancer(
    loadBalancer: elbv2.IApplicationLoadBalancer,
    targetGroup: elbv2.IApplicationTargetGroup,
    minHealthyTargets: number,
  ): void {
    const period = Duration.minutes(T.periodMinutes);
    const m = loadBalancer.metrics;
    const errorRate = new cloudwatch.MathExpression({
      expression: '100 * (elb + target) / MAX([requests, 1])',
      usingMetrics: {
        elb: m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period }),
        target: m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
        requests: m.requestCount({ period }),
      },
      period,
      label: 'ALB 5xx %',
    });
    this.alarm('Alb5xxRate', errorRate, T.alb5xxPercent, 'REST ALB: share of 5xx responses too high');
    this.targetHealthAlarms(targetGroup, minHealthyTargets, {
      ids: ['AlbUnhealthyTargets', 'AlbHealthyTargetsBelowMin'],
      loadBalancer: 'REST ALB',
      targets: 'Kong',
      minimumOf: "Kong's minimum replicas",
    });
  }

  /** NLB: unhealthy gateway targets, and fewer healthy ones than the gateway's minimum. */
  public monitorWebSocketLoadBalancer(targetGroup: elbv2.INetworkTargetGroup, minHealthyTargets: number): void {
    this.targetHealthAlarms(targetGroup, minHealthyTargets, {
      ids: ['NlbUnhealthyHosts', 'NlbHealthyHostsBelowMin'],
      loadBalancer: 'WebSocket NLB',
      targets: 'gateway',
      minimumOf: "the gateway's minimum replicas",
    });
  }

  /**
   * A load balancer's targets: any failing health checks, and fewer healthy ones than the
   * workload's minimum. Application and network target groups report the same two metrics.
   */
  private targetHealthAlarms(
    targetGroup: elbv2.IApplicationTargetGroup | elbv2.INetworkTargetGroup,
    minHealthyTargets: number,
    props: {
      /** The alarms' construct ids: unhealthy targets, healthy targets below the minimum. */
      readonly ids: readonly [string, string];
      /** For the descriptions: the load balancer, its targets, and what sets the minimum. */
      readonly loadBalancer: string;
      readonly targets: string;
      readonly minimumOf: string;
    },
  ): void {
    const { ids, loadBalancer, targets } = props;
    const period = Duration.minutes(T.periodMinutes);
    this.alarm(
      ids[0],
      targetGroup.metrics.custom('UnHealthyHostCount', { period, statistic: 'Maximum' }),
      T.unhealthyTargets,
      `${loadBalancer}: ${targets} targets failing health checks`,
    );
    this.availabilityAlarm(
      ids[1],
      targetGroup.metrics.custom('HealthyHostCount', { period, statistic: 'Minimum' }),
      minHealthyTargets,
      `${loadBalancer}: fewer than ${minHealthyTargets} healthy ${targets} targets (${props.minimumOf})`,
    );
  }

  /** EKS node capacity (Container Insights): failed nodes, below the minimum, at the maximum. */
  public monitorClusterCapacity(capacity: ClusterCapacity): void {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: capacity.clusterName },
        period: Duration.minutes(T.periodMinutes),
        statistic: 'Minimum',
      });
    this.alarm('EksFailedNodes', metric('cluster_failed_node_count'), T.failedNodes, 'EKS: nodes failing');
    this.availabilityAlarm(
      'EksBelowMinNodes',
      metric('cluster_node_count'),
      capacity.minNodes,
      'EKS: fewer nodes than the node groups minimum (or no node count reported)',
    );
    this.alarm(
      'EksAtMaxNodes',
      metric('cluster_node_count'),
      capacity.maxNodes,
      'EKS: node groups at their maximum size, the autoscaler cannot add nodes',
      cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    );
  }

  /** RDS: CPU, free storage, connections on every instance; replica lag on the replicas. */
  public monitorDatabase(db: MonitoredDatabase): void {
    const period = Duration.minutes(T.periodMinutes);
    const instances: [string, rds.IDatabaseInstance][] = [
      ['Primary', db.instance],
      ...db.replicas.map((r, i): [string, rds.IDatabaseInstance] => [`Replica${i + 1}`, r]),
    ];
    for (const [id, instance] of instances) {
      const which = id === 'Primary' ? 'primary' : `replica ${id.slice('Replica'.length)}`;
      this.alarm(`Rds${id}Cpu`, instance.metricCPUUtilization({ period }), T.rdsCpuPercent, `RDS ${which}: CPU high`);
      this.alarm(
        `Rds${id}FreeStorage`,
        instance.metricFreeStorageSpace({ period, statistic: 'Minimum' }),
        db.allocatedStorageGiB * GIB * T.rdsFreeStorageFraction,
        `RDS ${which}: free storage low`,
        cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      );
      this.alarm(
        `Rds${id}Connections`,
        instance.metricDatabaseConnections({ period, statistic: 'Maximum' }),
        Math.floor(db.maxAppConnections * T.rdsConnectionsFraction),
        `RDS ${which}: connections near what the app pools can open`,
      );
      if (id !== 'Primary') {
        this.alarm(
          `Rds${id}ReplicaLag`,
          instance.metric('ReplicaLag', { period, statistic: 'Maximum' }),
          T.rdsReplicaLagSeconds,
          `RDS ${which}: replica lag high (reads see stale data)`,
        );
      }
    }
  }

  /** ElastiCache: engine CPU, memory, evictions and replication lag on every node. */
  public monitorRedis(id: string, redis: MonitoredRedis): void {
    const period = Duration.minutes(T.periodMinutes);
    const metric = (metricName: string, clusterId: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensionsMap: { CacheClusterId: clusterId },
        period,
        statistic,
      });
    redis.memberClusterIds.forEach((clusterId, i) => {
      const node = `${id}Node${i + 1}`;
      const which = `Redis ${redis.label} node ${i + 1}`;
      this.alarm(
        `${node}Cpu`,
        metric('EngineCPUUtilization', clusterId, 'Average'),
        T.redisEngineCpuPercent,
        `${which}: engine CPU high`,
      );
      this.alarm(
        `${node}Memory`,
        metric('DatabaseMemoryUsagePercentage', clusterId, 'Maximum'),
        T.redisMemoryPercent,
        `${which}: memory high`,
      );
      this.alarm(
        `${node}Evictions`,
        metric('Evictions', clusterId, 'Sum'),
        T.redisEvictionsPerPeriod,
        `${which}: keys evicted`,
      );
      this.alarm(
        `${node}ReplicationLag`,
        metric('ReplicationLag', clusterId, 'Maximum'),
        T.redisReplicationLagSeconds,
        `${which}: replication lag high`,
      );
    });
  }

  /** OpenSearch: red or yellow cluster status, free storage per node, JVM memory pressure. */
  public monitorSearch(domain: opensearch.IDomain, volumeGiB: number): void {
    const period = Duration.minutes(T.periodMinutes);
    this.alarm(
      'SearchStatusRed',
      domain.metricClusterStatusRed({ period, statistic: 'Maximum' }),
      0,
      'OpenSearch: cluster status red (a primary shard is unassigned)',
    );
    this.alarm(
      'SearchStatusYellow',
      domain.metricClusterStatusYellow({ period, statistic: 'Maximum' }),
      0,
      'OpenSearch: cluster status yellow (a replica shard is unassigned)',
    );
    this.alarm(
      'SearchFreeStorage',
      // Reported per node in MiB.
      domain.metricFreeStorageSpace({ period, statistic: 'Minimum' }),
      volumeGiB * 1024 * T.searchFreeStorageFraction,
      'OpenSearch: a data node is running out of storage',
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    );
    this.alarm(
      'SearchJvmPressure',
      domain.metricJVMMemoryPressure({ period, statistic: 'Maximum' }),
      T.searchJvmMemoryPressurePercent,
      'OpenSearch: JVM memory pressure high',
    );
  }

  /**
   * An availability alarm: below `minimum` fires, and so does silence. A target group with no
   * registered targets, or a cluster whose agent died, reports nothing at all, which must page
   * rather than look healthy.
   */
  private availabilityAlarm(id: string, metric: cloudwatch.IMetric, minimum: number, description: string): void {
    this.alarm(
      id,
      metric,
      minimum,
      description,
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      cloudwatch.TreatMissingData.BREACHING,
    );
  }

  /** One alarm on `metric`, notifying the topic on alarm and on recovery. */
  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: T.evaluationPeriods,
      alarmDescription: description,
      treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
