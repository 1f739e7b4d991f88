import { z } from 'zod';
import { cpuMillis, instanceShape, type InstanceShape, memoryMiB, podsPerNode } from './instance-shapes';

/**
 * The schema every environment profile is validated against at synth time.
 *
 * Field-level rules live next to the field; rules that relate two fields (zones inside the
 * region, node groups large enough for the pods they host) live in `superRefine` below, so the
 * error names the field a person has to change.
 */

export const PROFILE_NAMES = ['dev', 'staging', 'prod', 'scale'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** RDS for PostgreSQL allows at most 15 read replicas per source instance. */
export const RDS_MAX_READ_REPLICAS = 15;
/** ElastiCache (Redis OSS / Valkey) allows at most 5 replicas per shard. */
export const ELASTICACHE_MAX_REPLICAS = 5;
/** ElastiCache cluster mode allows at most 500 shards; we cap far lower to keep costs sane. */
export const ELASTICACHE_MAX_SHARDS = 90;

/**
 * The AWS services the nodes and pods may reach through an interface endpoint (see
 * `lib/network/chat-network.ts` for what calls each).
 */
export const INTERFACE_ENDPOINT_NAMES = [
  'EcrApi',
  'EcrDocker',
  'Sts',
  'EksAuth',
  'Eks',
  'Ec2',
  'ElasticLoadBalancing',
  'AutoScaling',
  'CloudWatchLogs',
  'CloudWatchMonitoring',
  'SecretsManager',
  'Kms',
  'Ssm',
  'SsmMessages',
  'Ec2Messages',
  'Sns',
] as const;
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINT_NAMES)[number];

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as ap-northeast-2');
const roleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'must be an IAM role ARN such as arn:aws:iam::123456789012:role/Admin',
  );
const certificateArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
    'must be an ACM certificate ARN such as arn:aws:acm:ap-northeast-2:123456789012:certificate/<uuid>',
  );
const cidr = z.cidrv4({ message: 'must be an IPv4 CIDR such as 10.0.0.0/16' });
const email = z.email({ message: 'must be an e-mail address' });
/** A browser origin as the `Origin` header carries it: no path, no trailing slash, no wildcard. */
const browserOrigin = z
  .string()
  .regex(
    /^https?:\/\/([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/,
    'must be an origin scheme://host[:port] (http or https, lower case, no path) such as https://chat.example.com',
  );

/**
 * Domains that can never reach a person: RFC 2606 (example.com/.net/.org and the `.example`,
 * `.test`, `.invalid`, `.localhost` top-level names) and RFC 6761 (`localhost`).
 */
export const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
const notReserved = (host: string) => !RESERVED_DOMAIN.test(host.replace(/\.$/, ''));
const RESERVED_MESSAGE =
  'is on a reserved domain (example.com/.net/.org, *.example, *.test, *.invalid, localhost) that reaches no one';
/** An alert e-mail address someone reads. */
const alertEmail = email.refine(
  (address) => notReserved(address.slice(address.lastIndexOf('@') + 1)),
  RESERVED_MESSAGE,
);
/** An HTTPS endpoint (an incident tool's webhook) SNS can deliver to. */
const alertHttpsEndpoint = z
  .url({ protocol: /^https$/, message: 'must be an https:// URL such as an incident tool webhook' })
  .refine((url) => notReserved(new URL(url).hostname), RESERVED_MESSAGE);
/** Kubernetes quantities as the charts use them: CPU in cores or millicores, memory in Mi/Gi. */
const cpuQuantity = z.string().regex(/^\d+(\.\d+)?m?$/, 'must be a CPU quantity such as 500m or 2');
const memoryQuantity = z.string().regex(/^\d+(Mi|Gi)$/, 'must be a memory quantity such as 512Mi or 4Gi');
/** EC2 instance type family.size, e.g. c7i.4xlarge; the RDS / ElastiCache / OpenSearch prefixes are checked apart. */
const ec2InstanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as c7i.4xlarge');
const rdsInstanceClass = z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an RDS class such as db.m7g.8xlarge');
const cacheNodeType = z.string().regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be a node type such as cache.r7g.large');
const searchInstanceType = z
  .string()
  .regex(/^[a-z0-9-]+\.[a-z0-9]+\.search$/, 'must be an OpenSearch instance type such as r7g.large.search');

/**
 * The largest size a tier may grow to (the design's vertical sizing). A size above it fails synth:
 * growing past it is a design change, not a profile tweak.
 */
const ceilingSchema = z.object({ vcpu: int(1, 448), memoryGiB: int(1, 24576) }).strict();
export type Ceiling = z.infer<typeof ceilingSchema>;

/** A managed node group: the EKS min/desired/max triple plus its instance types. */
const nodeGroupSchema = z
  .object({
    /** With SPOT: several types of one size, so EC2 can draw from several Spot pools. */
    instanceTypes: z.array(ec2InstanceType).min(1),
    minSize: int(0, 450),
    desiredSize: int(0, 450),
    maxSize: int(1, 450),
    diskSizeGiB: int(20, 16384),
    /**
     * How the nodes are bought. SPOT: EKS turns on the Auto Scaling group's Capacity Rebalancing and
     * drains a node when EC2 recommends a rebalance or sends the two-minute interruption notice.
     */
    capacityType: z.enum(['ON_DEMAND', 'SPOT']),
    /** The largest node this group may grow to; unset: no ceiling. */
    ceiling: ceilingSchema.optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.minSize > g.desiredSize || g.desiredSize > g.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['desiredSize'],
        message: `must satisfy minSize <= desiredSize <= maxSize (got ${g.minSize} <= ${g.desiredSize} <= ${g.maxSize})`,
      });
    }
  });

/** Pod resources and horizontal scaling bounds for one workload. */
const workloadSchema = z
  .object({
    minReplicas: int(1, 1000),
    maxReplicas: int(1, 1000),
    cpu: cpuQuantity,
    memory: memoryQuantity,
    /** Target average CPU utilisation for the HPA, in percent of the request. */
    targetCpuPercent: int(10, 100),
    /** Target average memory utilisation for the HPA, in percent of the request; unset: CPU only. */
    targetMemoryPercent: int(10, 100).optional(),
    /**
     * How long the HPA waits for load to stay low before removing pods; unset: Kubernetes' 300 s.
     * Long for the gateway, whose pods hold WebSocket connections that must reconnect elsewhere.
     */
    scaleDownStabilizationSeconds: int(0, 3600).optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.minReplicas > w.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxReplicas'],
        message: `must be >= minReplicas (got ${w.maxReplicas} < ${w.minReplicas})`,
      });
    }
  });

export const profileSchema = z
  .object({
    name: z.enum(PROFILE_NAMES),
    /** Where the stacks deploy. Zones are pinned so synth never looks them up. */
    env: z
      .object({
        account: accountId,
        region,
        availabilityZones: z.array(z.string()).length(3, 'must list exactly three zones'),
      })
      .strict(),
    /**
     * Data protection: deletion protection, snapshot-on-delete and stack termination protection.
     * Off only in dev, where stacks are torn down daily.
     */
    protectData: z.boolean(),
    network: z
      .object({
        vpcCidr: cidr,
        /** 3: one per zone, so a zone outage leaves the other zones their egress; 1: one zone's NAT carries all. */
        natGateways: int(1, 3),
        flowLogRetentionDays: int(1, 3653),
        /**
         * The interface endpoints to create (each costs an hourly fee in every zone), each with the
         * reason it is worth it here. One not listed is reached through the NAT gateway instead.
         */
        interfaceEndpoints: z.partialRecord(
          z.enum(INTERFACE_ENDPOINT_NAMES),
          z.string().min(10, 'must give the reason this endpoint is worth its monthly cost'),
        ),
      })
      .strict(),
    cluster: z
      .object({
        /** Kubernetes minor version; the kubectl layer package in package.json must match. */
        kubernetesVersion: z.enum(['1.36']),
        /** `private`: API server reachable from the VPC only. */
        endpointAccess: z.enum(['private', 'public-and-private']),
        /** Who may reach a public endpoint; ignored when the endpoint is private. */
        publicAccessCidrs: z.array(cidr),
        adminRoleArns: z.array(roleArn).min(1, 'must name at least one admin role'),
        /** Run node groups on Graviton (arm64) instance types. */
        graviton: z.boolean(),
        nodeGroups: z.object({ system: nodeGroupSchema, gateway: nodeGroupSchema, api: nodeGroupSchema }).strict(),
      })
      .strict(),
    database: z
      .object({
        /** PostgreSQL major.minor, e.g. 17.6. */
        engineVersion: z.string().regex(/^1[6-9]\.\d+$/, 'must be a PostgreSQL 16+ version such as 17.6'),
        instanceClass: rdsInstanceClass,
        /** The largest class the database may grow to (the design: 32 vCPU / 128 GB). */
        ceiling: ceilingSchema.optional(),
        readReplicas: int(0, RDS_MAX_READ_REPLICAS),
        multiAz: z.boolean(),
        allocatedStorageGiB: int(20, 65536),
        maxAllocatedStorageGiB: int(20, 65536),
        backupRetentionDays: int(1, 35),
        /** 7 (free tier) or a month multiple up to 731, as Performance Insights accepts. */
        performanceInsightsRetentionDays: z.union([z.literal(7), z.literal(31), z.literal(93), z.literal(731)]),
        monitoringIntervalSeconds: z.union([
          z.literal(1),
          z.literal(5),
          z.literal(10),
          z.literal(15),
          z.literal(30),
          z.literal(60),
        ]),
        /** Queries slower than this are logged. */
        slowQueryMs: int(10, 60000),
        /** Most connections one app instance may hold (the brief: 50). */
        poolMaxPerInstance: int(1, 500),
        /** Days between automatic rotations of the master password (Secrets Manager allows 1-1000). */
        credentialRotationDays: int(1, 1000),
      })
      .strict(),
    redis: z
      .object({
        engineVersion: z.enum(['7.1']),
        cache: z
          .object({
            nodeType: cacheNodeType,
            shards: int(1, ELASTICACHE_MAX_SHARDS),
            replicasPerShard: int(1, ELASTICACHE_MAX_REPLICAS),
          })
          .strict(),
        pubsub: z.object({ nodeType: cacheNodeType, replicas: int(1, ELASTICACHE_MAX_REPLICAS) }).strict(),
        streams: z
          .object({
            nodeType: cacheNodeType,
            replicas: int(1, ELASTICACHE_MAX_REPLICAS),
            snapshotRetentionDays: int(1, 35),
          })
          .strict(),
      })
      .strict(),
    search: z
      .object({
        engineVersion: z.enum(['2.19']),
        dataNodeInstanceType: searchInstanceType,
        /** Data nodes; a multiple of three so every zone holds the same share. */
        dataNodes: int(3, 80).refine((n) => n % 3 === 0, 'must be a multiple of 3 (one share per zone)'),
        volumeSizeGiB: int(10, 16384),
        /** Dedicated master nodes: 0 (none) or 3. */
        dedicatedMasterNodes: z.union([z.literal(0), z.literal(3)]),
        dedicatedMasterInstanceType: searchInstanceType,
      })
      .strict(),
    /** Chat workloads: pod sizes and HPA bounds; the gateway and api rows are the brief's scaling table. */
    workloads: z
      .object({
        gateway: workloadSchema,
        api: workloadSchema,
        worker: workloadSchema,
        kong: workloadSchema,
      })
      .strict(),
    /** Application settings the brief fixes; passed to the pods as environment. */
    app: z
      .object({
        l1CacheTtlSeconds: int(1, 3600),
        l2CacheTtlSeconds: int(60, 86400),
        /** Seconds a gateway pod has to drain its connections on shutdown. */
        gatewayDrainSeconds: int(10, 3600),
        /**
         * Seconds a load balancer keeps sending new connections to a target being deregistered;
         * pods wait this long (preStop) before they stop accepting.
         */
        deregistrationDelaySeconds: int(0, 3600),
        /** Requests per minute Kong lets one client IP make to the REST API. */
        apiRateLimitPerMinute: int(1, 1_000_000),
        /** Largest request body Kong passes to the REST API, in KiB. */
        apiMaxRequestBodyKiB: int(1, 1_048_576),
        /**
         * Requests per minute Kong lets one client IP make to the public operations (sign-up,
         * sign-in): stricter than `apiRateLimitPerMinute`, since they guess passwords and create accounts.
         */
        apiPublicRateLimitPerMinute: int(1, 1_000_000),
        /** Lifetime of the access tokens the api issues; Kong's jwt plugin refuses longer-lived ones. */
        accessTokenTtlSeconds: int(60, 86_400),
        /**
         * Seconds between two reads of the token public keys by Kong's refresh sidecar, which
         * posts them to Kong without a restart. The rotation publishes a key 90 days before the api
         * signs with it, so minutes are plenty; each read is one Secrets Manager call per Kong pod.
         */
        kongKeysRefreshSeconds: int(10, 86_400),
        /** Browser origins (`scheme://host[:port]`) the API answers CORS for and the gateway accepts. */
        allowedOrigins: z.array(browserOrigin),
        /**
         * Seconds between the gateway's heartbeats (`GATEWAY_HEARTBEAT_INTERVAL_MS`): they keep each
         * connection's flow alive through the NLB's idle timeout (checked by `lib/capacity`).
         */
        gatewayHeartbeatIntervalSeconds: int(5, 300),
      })
      .strict()
      .refine((a) => a.apiPublicRateLimitPerMinute < a.apiRateLimitPerMinute, {
        path: ['apiPublicRateLimitPerMinute'],
        message: 'must be below app.apiRateLimitPerMinute (the public operations get the stricter limit)',
      }),
    /**
     * The WebSocket connections this environment must carry (the brief's scaling table), checked
     * at synth against every limit between a client and a gateway process (`lib/capacity`).
     */
    capacity: z
      .object({
        /** Concurrent connections across all gateway servers at `workloads.gateway.minReplicas`. */
        targetConnections: int(1, 100_000_000),
        /** Concurrent connections one gateway server (pod) is planned to hold; the HPA's per-pod target. */
        targetPerServer: int(1, 10_000_000),
      })
      .strict(),
    edge: z
      .object({
        /** ACM certificate for the ALB and NLB listeners; when absent, one is issued through `hostedZone`. */
        certificateArn: certificateArn.optional(),
        hostedZone: z
          .object({
            id: z
              .string()
              .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
            name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a domain name such as chat.example.com'),
          })
          .strict()
          .optional(),
        /** Client CIDRs allowed to reach the load balancers (the CDN's ranges in production). */
        allowedIngressCidrs: z.array(cidr).min(1),
        /** Put CloudFront in front of the ALB (otherwise the CDN is an external DNS step). */
        cloudFront: z.boolean(),
        /** WAF rate-based rule: requests one client IP may send the ALB in any 5-minute window. */
        wafRateLimitPer5Minutes: int(100, 2_000_000_000),
      })
      .strict(),
    observability: z
      .object({
        /**
         * Who receives every alarm and in-cluster alert (SNS e-mail subscriptions). Past dev at
         * least one of these or `alertHttpsEndpoints` is required; deployments pass them with
         * `-c alertEmails=a@x,b@y` (see the README), which replaces this list.
         */
        alertEmails: z.array(alertEmail).default([]),
        /** HTTPS endpoints (incident tools) subscribed to the alarm topic; `-c alertHttpsEndpoints=...`. */
        alertHttpsEndpoints: z.array(alertHttpsEndpoint).default([]),
        /** Share of gateway sends (and API requests) traced, 0 to 1 (`OTEL_TRACES_SAMPLER_ARG`). */
        traceSampleRatio: z.number().min(0).max(1),
        logRetentionDays: int(1, 3653),
        /** Days Prometheus keeps metrics in the cluster. */
        metricsRetentionDays: int(1, 365),
        /** Size of Prometheus's volume; must hold `metricsRetentionDays` of samples. */
        metricsVolumeGiB: int(10, 16384),
        /** Days Jaeger keeps traces. */
        traceRetentionDays: int(1, 90),
        /** Size of Jaeger's trace volume; must hold `traceRetentionDays` of spans. */
        traceVolumeGiB: int(10, 16384),
      })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    p.env.availabilityZones.forEach((zone, i) => {
      if (!new RegExp(`^${p.env.region}[a-z]$`).test(zone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['env', 'availabilityZones', i],
          message: `zone "${zone}" is not in region ${p.env.region} (expected ${p.env.region}a, ${p.env.region}b, ...)`,
        });
      }
    });
    if (new Set(p.env.availabilityZones).size !== p.env.availabilityZones.length) {
      ctx.addIssue({ code: 'custom', path: ['env', 'availabilityZones'], message: 'must list three different zones' });
    }
    if (p.database.maxAllocatedStorageGiB < p.database.allocatedStorageGiB) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'maxAllocatedStorageGiB'],
        message: `must be >= allocatedStorageGiB (${p.database.allocatedStorageGiB})`,
      });
    }
    if (p.name !== 'dev') {
      // Everything past dev carries real traffic: it must survive a zone and keep its data.
      const requireAtLeast = (path: (string | number)[], value: number, min: number, why: string) => {
        if (value < min) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `must be at least ${min} in ${p.name} (${why}); got ${value}`,
          });
        }
      };
      requireAtLeast(['database', 'readReplicas'], p.database.readReplicas, 1, 'reads go to replicas only');
      requireAtLeast(['workloads', 'gateway', 'minReplicas'], p.workloads.gateway.minReplicas, 2, 'survive a pod loss');
      requireAtLeast(['workloads', 'api', 'minReplicas'], p.workloads.api.minReplicas, 2, 'survive a pod loss');
      if (!p.protectData) {
        ctx.addIssue({
          code: 'custom',
          path: ['protectData'],
          message: `must be true in ${p.name}: only dev may drop data`,
        });
      }
      if (!p.database.multiAz) {
        ctx.addIssue({ code: 'custom', path: ['database', 'multiAz'], message: `must be true in ${p.name}` });
      }
    }
    if (p.cluster.endpointAccess === 'public-and-private' && p.cluster.publicAccessCidrs.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'publicAccessCidrs'],
        message:
          'must list at least one CIDR when endpointAccess is public-and-private (or set endpointAccess to private)',
      });
    }
    if (p.cluster.publicAccessCidrs.includes('0.0.0.0/0')) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'publicAccessCidrs'],
        message: '0.0.0.0/0 would expose the Kubernetes API to the internet: list your office or VPN ranges',
      });
    }
    if (p.edge.certificateArn === undefined && p.edge.hostedZone === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['edge', 'certificateArn'],
        message: 'set edge.certificateArn, or edge.hostedZone so a certificate can be issued with DNS validation',
      });
    }
    const gravitonFamily = /^[a-z]+\d+g[a-z]*\./;
    for (const [role, group] of Object.entries(p.cluster.nodeGroups)) {
      group.instanceTypes.forEach((type, i) => {
        if (gravitonFamily.test(type) !== p.cluster.graviton) {
          ctx.addIssue({
            code: 'custom',
            path: ['cluster', 'nodeGroups', role, 'instanceTypes', i],
            message: p.cluster.graviton
              ? `"${type}" is not a Graviton type, but cluster.graviton is true (use e.g. c7g, m7g, r7g)`
              : `"${type}" is a Graviton type, but cluster.graviton is false (use e.g. c7i, m7i, r7i)`,
          });
        }
      });
    }
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const describe = (s: InstanceShape) => `${s.vcpu} vCPU / ${s.memoryGiB} GiB`;
    const shapeOf = (path: (string | number)[], type: string): InstanceShape | undefined => {
      const shape = instanceShape(type);
      if (shape === undefined) {
        issue(
          path,
          `"${type}" has no known vCPU and memory (lib/config/instance-shapes.ts knows c, m, r and t families)`,
        );
      }
      return shape;
    };
    const checkCeiling = (
      path: (string | number)[],
      type: string,
      shape: InstanceShape,
      ceiling: Ceiling | undefined,
      ceilingField: string,
    ) => {
      if (ceiling && (shape.vcpu > ceiling.vcpu || shape.memoryGiB > ceiling.memoryGiB)) {
        issue(
          path,
          `"${type}" (${describe(shape)}) is above ${ceilingField} (${ceiling.vcpu} vCPU / ${ceiling.memoryGiB} GiB): pick a type within it or raise the ceiling`,
        );
      }
    };
    for (const [role, group] of Object.entries(p.cluster.nodeGroups)) {
      const base = ['cluster', 'nodeGroups', role];
      const shapes = group.instanceTypes.map((type, i) => {
        const shape = shapeOf([...base, 'instanceTypes', i], type);
        if (shape)
          checkCeiling([...base, 'instanceTypes', i], type, shape, group.ceiling, `cluster.nodeGroups.${role}.ceiling`);
        return shape;
      });
      if (group.capacityType === 'SPOT') {
        if (group.instanceTypes.length < 2) {
          issue(
            [...base, 'instanceTypes'],
            'must list at least two instance types of one size with capacityType SPOT (more Spot pools, fewer interruptions)',
          );
        }
        const first = shapes[0];
        shapes.forEach((shape, i) => {
          if (first && shape && (shape.vcpu !== first.vcpu || shape.memoryGiB !== first.memoryGiB)) {
            issue(
              [...base, 'instanceTypes', i],
              `"${group.instanceTypes[i]}" (${describe(shape)}) is not the size of "${group.instanceTypes[0]}" (${describe(first)}): a Spot group's types must be of one size`,
            );
          }
        });
      }
    }
    const dbShape = shapeOf(['database', 'instanceClass'], p.database.instanceClass);
    if (dbShape) {
      checkCeiling(
        ['database', 'instanceClass'],
        p.database.instanceClass,
        dbShape,
        p.database.ceiling,
        'database.ceiling',
      );
    }
    // The pods must fit their nodes: one gateway pod per gateway node, the api's most pods on the api group's most nodes.
    const fit = (role: 'gateway' | 'api') => {
      const shape = instanceShape(p.cluster.nodeGroups[role].instanceTypes[0]);
      const w = p.workloads[role];
      return shape ? podsPerNode(shape, cpuMillis(w.cpu), memoryMiB(w.memory)) : undefined;
    };
    const gatewayFit = fit('gateway');
    if (gatewayFit === 0) {
      issue(
        ['workloads', 'gateway', 'cpu'],
        `a gateway pod (${p.workloads.gateway.cpu} CPU, ${p.workloads.gateway.memory}) does not fit one ${p.cluster.nodeGroups.gateway.instanceTypes[0]} node after the kubelet's and daemon sets' share`,
      );
    }
    const apiFit = fit('api');
    if (apiFit !== undefined && apiFit * p.cluster.nodeGroups.api.maxSize < p.workloads.api.maxReplicas) {
      issue(
        ['cluster', 'nodeGroups', 'api', 'maxSize'],
        `${p.cluster.nodeGroups.api.maxSize} nodes of ${p.cluster.nodeGroups.api.instanceTypes[0]} hold ${apiFit * p.cluster.nodeGroups.api.maxSize} api pods (${apiFit} each), fewer than workloads.api.maxReplicas (${p.workloads.api.maxReplicas})`,
      );
    }
    // EKS drains a Spot node at the two-minute interruption notice at the latest; the gateway's
    // preStop wait and drain must end before the instance does.
    const gatewayStop = p.app.deregistrationDelaySeconds + p.app.gatewayDrainSeconds;
    if (p.cluster.nodeGroups.gateway.capacityType === 'SPOT' && gatewayStop > 120) {
      issue(
        ['app', 'gatewayDrainSeconds'],
        `deregistrationDelaySeconds + gatewayDrainSeconds (${gatewayStop} s) must be at most 120 when the gateway nodes are SPOT (EC2's two-minute interruption notice)`,
      );
    }
    if (p.capacity.targetPerServer * p.workloads.gateway.minReplicas < p.capacity.targetConnections) {
      ctx.addIssue({
        code: 'custom',
        path: ['capacity', 'targetPerServer'],
        message:
          `times workloads.gateway.minReplicas (${p.workloads.gateway.minReplicas}) must reach capacity.targetConnections ` +
          `(${p.capacity.targetConnections}); got ${p.capacity.targetPerServer}`,
      });
    }
    const { gateway } = p.cluster.nodeGroups;
    // One gateway pod per gateway node (the brief's "server"): the node group must cover the HPA.
    if (gateway.maxSize < p.workloads.gateway.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'nodeGroups', 'gateway', 'maxSize'],
        message: `must be >= workloads.gateway.maxReplicas (${p.workloads.gateway.maxReplicas}): each gateway pod takes a gateway node`,
      });
    }
  });

/** A validated environment profile. */
export type Profile = z.infer<typeof profileSchema>;
/** A workload's pod size and scaling bounds. */
export type WorkloadProfile = Profile['workloads']['gateway'];
/** A managed node group's sizes. */
export type NodeGroupProfile = Profile['cluster']['nodeGroups']['system'];
