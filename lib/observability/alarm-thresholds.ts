/**
 * Every alarm threshold, named, in one place. Sizes that depend on the environment (storage,
 * connection counts, node counts) are derived from the profile where the alarm is built; what is
 * here is the policy: how full, how hot, how late is too much.
 */
export const ALARM_THRESHOLDS = {
  /** Periods (of `periodMinutes`) a breach must last before the alarm fires. */
  evaluationPeriods: 3,
  periodMinutes: 5,

  rdsCpuPercent: 80,
  /** Free storage below this share of the allocated storage. */
  rdsFreeStorageFraction: 0.1,
  rdsReplicaLagSeconds: 30,
  /** Connections above this share of what every app pod's pool could open at most. */
  rdsConnectionsFraction: 0.8,

  redisEngineCpuPercent: 75,
  redisMemoryPercent: 80,
  /** Evicted keys per period: a few are normal for the cache, a stream or pub/sub node never should. */
  redisEvictionsPerPeriod: 100,
  redisReplicationLagSeconds: 5,

  /** Free storage per data node below this share of its volume. */
  searchFreeStorageFraction: 0.2,
  searchJvmMemoryPressurePercent: 80,

  /** ALB 5xx (load balancer and targets) as a percentage of requests. */
  alb5xxPercent: 5,
  /** Unhealthy targets tolerated in a target group (zero: one is already a failing pod). */
  unhealthyTargets: 0,

  /** Nodes the cluster reports as failed. */
  failedNodes: 0,
} as const;
