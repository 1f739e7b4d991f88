import {
  GATEWAY_CONTAINER_NOFILE,
  GATEWAY_NODE_CONNTRACK_MAX,
  KUBE_PROXY_CONNTRACK,
} from '../cluster/gateway-node-tuning';
import type { Profile } from '../config';
import { GATEWAY_CLIENT_IP_PRESERVATION } from '../contract';
import { instanceShape } from './instance-types';
import {
  CONNTRACK_NODE_RESERVE,
  DESIGN_GATEWAY_CEILING,
  EC2_CONNECTION_TRACKING_SOURCE,
  ELASTICACHE_MAX_CLIENTS,
  FILE_DESCRIPTOR_PROCESS_RESERVE,
  GATEWAY_CPU_SECONDS_PER_UPGRADE,
  GATEWAY_BASELINE_RSS_PER_PROCESS_BYTES,
  GATEWAY_PUBSUB_CONNECTIONS_PER_PROCESS,
  GATEWAY_RSS_PER_CONNECTION_BYTES,
  KERNEL_BYTES_PER_SOCKET,
  NLB_CONNECTIONS_PER_TARGET,
  NLB_IDLE_TIMEOUT_SECONDS,
  NLB_TARGETS_PER_LOAD_BALANCER,
  NODE_RAISES_NOFILE,
} from './sources';

/** One limit on the path from a client to a gateway process. */
export interface CapacityLimit {
  /** What it limits, e.g. `nlb-per-target`, `conntrack`, `memory`. */
  readonly name: string;
  /** Connections one server can hold under this limit; `null` when it does not cap a server. */
  readonly perServer: number | null;
  /** Whether the profile stays within it (for fleet-wide limits: at `maxReplicas`). */
  readonly ok: boolean;
  /** `false` for a limit the model cannot check with a number (said in `detail`). */
  readonly checked: boolean;
  /** The numbers behind it. */
  readonly detail: string;
  /** Where the figures come from. */
  readonly source: string;
}

/** A gateway server as the model sees it: the node and the pod on it. */
export interface GatewayServer {
  readonly instanceType: string;
  readonly nodeVcpu: number;
  readonly nodeMemoryGiB: number;
  /** Event-loop processes in the pod (`GATEWAY_WORKERS`: the pod's whole CPUs). */
  readonly workers: number;
  readonly podMemoryBytes: number;
}

/** The limits evaluated for one server shape. */
export interface ServerCapacity {
  readonly server: GatewayServer;
  readonly limits: readonly CapacityLimit[];
  /** The least `perServer` over the limits. */
  readonly perServerConnections: number;
  /** The limit that sets it. */
  readonly binding: string;
}

/** The capacity of one profile: its servers against its target, and a server at the ceiling. */
export interface CapacityReport {
  readonly profile: string;
  readonly targetConnections: number;
  readonly targetPerServer: number;
  /** Servers the target is planned on (`workloads.gateway.minReplicas`). */
  readonly servers: number;
  readonly maxServers: number;
  readonly perServerConnections: number;
  readonly totalConnections: number;
  readonly binding: string;
  /** `totalConnections / targetConnections - 1`. */
  readonly headroom: number;
  readonly limits: readonly CapacityLimit[];
  readonly current: ServerCapacity;
  /**
   * A server at the brief's vertical size (16 vCPU / 32 GB) on the same infrastructure; its binding
   * limit is taken over the path's limits only (not how fast this profile's other servers absorb
   * its drain).
   */
  readonly ceiling: ServerCapacity;
  readonly ceilingPerServerConnections: number;
  /** Every reason the profile cannot carry its target; empty when it can. */
  readonly failures: readonly string[];
}

const GIB = 1024 ** 3;

/** Whole CPUs of a profile CPU quantity (`14`, `3500m`): the gateway runs one process per whole CPU. */
function wholeCpus(quantity: string): number {
  const millis = quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  return Math.max(1, Math.floor(millis / 1000));
}

/** Bytes of a profile memory quantity (`512Mi`, `26Gi`; the schema allows no other units). */
function memoryBytes(quantity: string): number {
  return Number(quantity.slice(0, -2)) * (quantity.endsWith('Gi') ? GIB : 1024 ** 2);
}
const fmt = (n: number) => Math.floor(n).toLocaleString('en-US');
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** The pod on a ceiling node is sized as prod sizes its 16 vCPU / 32 GB server: 2 vCPU and 6 GiB left to the node. */
const CEILING_NODE_RESERVE = { vcpu: 2, memoryGiB: 6 };

/** What the model may be told instead of the infrastructure's settings, to show why they are so. */
export interface CapacityOptions {
  /**
   * Whether the gateway target group preserves client addresses.
   * @default GATEWAY_CLIENT_IP_PRESERVATION (the edge stack's setting)
   */
  readonly clientIpPreservation?: boolean;
}

function serverLimits(profile: Profile, server: GatewayServer, options: CapacityOptions): CapacityLimit[] {
  const { maxReplicas } = profile.workloads.gateway;
  const processes = server.workers + 1;
  const perConnection = GATEWAY_RSS_PER_CONNECTION_BYTES.value + KERNEL_BYTES_PER_SOCKET.value;
  const baseline = processes * GATEWAY_BASELINE_RSS_PER_PROCESS_BYTES.value;
  const kubeProxyConntrack = Math.max(KUBE_PROXY_CONNTRACK.maxPerCore * server.nodeVcpu, KUBE_PROXY_CONNTRACK.min);
  const conntrack = Math.max(GATEWAY_NODE_CONNTRACK_MAX, kubeProxyConntrack);
  const perProcessFiles = GATEWAY_CONTAINER_NOFILE - FILE_DESCRIPTOR_PROCESS_RESERVE.value;
  const pubsubConnections = maxReplicas * processes * GATEWAY_PUBSUB_CONNECTIONS_PER_PROCESS.value;
  const heartbeat = profile.app.gatewayHeartbeatIntervalSeconds;
  const idle = NLB_IDLE_TIMEOUT_SECONDS.value;
  // A drained server closes its connections over the first half of the drain; the others (at
  // least one: with a single server its replacement) take them at half their CPU.
  const spreadSeconds = profile.app.gatewayDrainSeconds / 2;
  const receivers = Math.max(1, profile.workloads.gateway.minReplicas - 1);
  const acceptPerSecond = (receivers * server.workers * 0.5) / GATEWAY_CPU_SECONDS_PER_UPGRADE.value;

  return [
    (options.clientIpPreservation ?? GATEWAY_CLIENT_IP_PRESERVATION)
      ? {
          name: 'nlb-per-target',
          perServer: null,
          ok: true,
          checked: true,
          detail:
            `client IP preservation is on: the NLB does not translate source addresses, so the ` +
            `${fmt(NLB_CONNECTIONS_PER_TARGET.value)} per target (IP:port) of translated connections does not apply`,
          source: NLB_CONNECTIONS_PER_TARGET.source,
        }
      : {
          name: 'nlb-per-target',
          perServer: NLB_CONNECTIONS_PER_TARGET.value,
          ok: true,
          checked: true,
          detail: `client IP preservation is off: ${fmt(NLB_CONNECTIONS_PER_TARGET.value)} per target, 1 target (pod IP:port) per server`,
          source: NLB_CONNECTIONS_PER_TARGET.source,
        },
    {
      name: 'nlb-targets',
      perServer: null,
      ok: maxReplicas <= NLB_TARGETS_PER_LOAD_BALANCER.value,
      checked: true,
      detail: `${maxReplicas} targets at maxReplicas (1 per server) of ${NLB_TARGETS_PER_LOAD_BALANCER.value} per load balancer (cross-zone)`,
      source: NLB_TARGETS_PER_LOAD_BALANCER.source,
    },
    {
      name: 'ec2-connection-tracking',
      perServer: null,
      ok: true,
      checked: false,
      detail:
        'connections through an NLB are always tracked by the instance; AWS does not publish the allowance per ' +
        'instance type: watch the ENA counter conntrack_allowance_exceeded',
      source: EC2_CONNECTION_TRACKING_SOURCE,
    },
    {
      name: 'conntrack',
      perServer: conntrack - CONNTRACK_NODE_RESERVE.value,
      ok: true,
      checked: true,
      detail:
        `nf_conntrack_max ${fmt(conntrack)} on the node (gateway nodes keep ${fmt(GATEWAY_NODE_CONNTRACK_MAX)}; ` +
        `kube-proxy alone would set ${fmt(kubeProxyConntrack)} for ${server.nodeVcpu} vCPUs), ` +
        `less ${fmt(CONNTRACK_NODE_RESERVE.value)} for the node's own flows`,
      source:
        'https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/ and lib/cluster/gateway-node-tuning.ts',
    },
    {
      name: 'file-descriptors',
      perServer: server.workers * perProcessFiles,
      ok: true,
      checked: true,
      detail:
        `${server.workers} processes x (${fmt(GATEWAY_CONTAINER_NOFILE)} open files per container process ` +
        `- ${fmt(FILE_DESCRIPTOR_PROCESS_RESERVE.value)} of their own)`,
      source: `lib/cluster/gateway-node-tuning.ts (containerd RLIMIT_NOFILE); ${NODE_RAISES_NOFILE}`,
    },
    {
      name: 'memory',
      perServer: Math.max(0, (server.podMemoryBytes - baseline) / perConnection),
      ok: true,
      checked: true,
      detail:
        `pod ${(server.podMemoryBytes / GIB).toFixed(1)} GiB - ${processes} processes x ` +
        `${GATEWAY_BASELINE_RSS_PER_PROCESS_BYTES.value / 1024 ** 2} MiB, over ${kb(perConnection)} per connection ` +
        `(${kb(GATEWAY_RSS_PER_CONNECTION_BYTES.value)} measured RSS + ${kb(KERNEL_BYTES_PER_SOCKET.value)} kernel socket)`,
      source: `${GATEWAY_RSS_PER_CONNECTION_BYTES.source}; ${KERNEL_BYTES_PER_SOCKET.source}`,
    },
    {
      name: 'redis-pubsub-connections',
      perServer: null,
      ok: pubsubConnections <= ELASTICACHE_MAX_CLIENTS.value / 2,
      checked: true,
      detail:
        `${maxReplicas} servers x ${processes} processes x ${GATEWAY_PUBSUB_CONNECTIONS_PER_PROCESS.value} = ` +
        `${fmt(pubsubConnections)} connections per pub/sub node, within half of maxclients ` +
        `${fmt(ELASTICACHE_MAX_CLIENTS.value)} (the rest for Kong and reconnects)`,
      source: ELASTICACHE_MAX_CLIENTS.source,
    },
    {
      name: 'scale-in-reconnects',
      perServer: acceptPerSecond * spreadSeconds,
      ok: true,
      checked: true,
      detail:
        `a draining server closes its connections over ${spreadSeconds} s (half of app.gatewayDrainSeconds); ` +
        `${receivers} other servers x ${server.workers} processes at half their CPU accept ` +
        `${fmt(acceptPerSecond)} upgrades/s (${(GATEWAY_CPU_SECONDS_PER_UPGRADE.value * 1e6).toFixed(0)} µs each)`,
      source: GATEWAY_CPU_SECONDS_PER_UPGRADE.source,
    },
    {
      name: 'heartbeat-vs-idle-timeout',
      perServer: null,
      ok: 2 * heartbeat < idle,
      checked: true,
      detail:
        `heartbeat every ${heartbeat} s: a flow is never idle longer than ${2 * heartbeat} s even with one ` +
        `heartbeat lost, against the NLB's ${idle} s idle timeout`,
      source: NLB_IDLE_TIMEOUT_SECONDS.source,
    },
  ];
}

/**
 * Limits of the profile's operation rather than of the path: how fast its other servers take a
 * drained server's clients. The ceiling (a server of the brief's vertical size on this
 * infrastructure) is judged on the path alone, since a sandbox with one small server is not
 * meant to absorb a million reconnects.
 */
const OPERATIONAL_LIMITS: ReadonlySet<string> = new Set(['scale-in-reconnects']);

function evaluate(profile: Profile, server: GatewayServer, options: CapacityOptions, pathOnly = false): ServerCapacity {
  const limits = serverLimits(profile, server, options);
  let binding = limits[0];
  let perServer = Number.POSITIVE_INFINITY;
  for (const limit of limits) {
    if (pathOnly && OPERATIONAL_LIMITS.has(limit.name)) continue;
    if (limit.perServer !== null && limit.perServer < perServer) {
      perServer = limit.perServer;
      binding = limit;
    }
  }
  return { server, limits, perServerConnections: Math.floor(perServer), binding: binding.name };
}

/** The profile's gateway server: its node group's (smallest) instance type and the gateway pod. */
export function profileServer(profile: Profile): GatewayServer {
  const shapes = profile.cluster.nodeGroups.gateway.instanceTypes.map((type) => ({ type, ...instanceShape(type) }));
  const smallest = shapes.reduce((a, b) => (b.vcpu * 1000 + b.memoryGiB < a.vcpu * 1000 + a.memoryGiB ? b : a));
  const { cpu, memory } = profile.workloads.gateway;
  return {
    instanceType: smallest.type,
    nodeVcpu: smallest.vcpu,
    nodeMemoryGiB: smallest.memoryGiB,
    workers: wholeCpus(cpu),
    podMemoryBytes: memoryBytes(memory),
  };
}

/** A server at the brief's vertical size, its pod sized as prod sizes the pod on such a node. */
export function ceilingServer(): GatewayServer {
  const vcpu = DESIGN_GATEWAY_CEILING.vcpu;
  return {
    instanceType: `${vcpu} vCPU / ${DESIGN_GATEWAY_CEILING.memoryGiB} GB (the brief's vertical size)`,
    nodeVcpu: vcpu,
    nodeMemoryGiB: DESIGN_GATEWAY_CEILING.memoryGiB,
    workers: vcpu - CEILING_NODE_RESERVE.vcpu,
    podMemoryBytes: (DESIGN_GATEWAY_CEILING.memoryGiB - CEILING_NODE_RESERVE.memoryGiB) * GIB,
  };
}

/**
 * Evaluates every limit between a client and a gateway process for `profile`: per server (the
 * profile's node and pod), in total at `workloads.gateway.minReplicas`, and for a server at the
 * brief's vertical size on the same infrastructure.
 */
export function evaluateCapacity(profile: Profile, options: CapacityOptions = {}): CapacityReport {
  const current = evaluate(profile, profileServer(profile), options);
  const ceiling = evaluate(profile, ceilingServer(), options, true);
  const { targetConnections, targetPerServer } = profile.capacity;
  const servers = profile.workloads.gateway.minReplicas;
  const totalConnections = current.perServerConnections * servers;
  const failures: string[] = [];
  const binding = current.limits.find((l) => l.name === current.binding)!;
  if (current.perServerConnections < targetPerServer || totalConnections < targetConnections) {
    failures.push(
      `${current.binding} binds at ${fmt(current.perServerConnections)} connections per server ` +
        `(${current.server.instanceType}: ${binding.detail}), below capacity.targetPerServer ${fmt(targetPerServer)}; ` +
        `${servers} servers hold ${fmt(totalConnections)} of capacity.targetConnections ${fmt(targetConnections)}`,
    );
  }
  for (const limit of current.limits) {
    if (!limit.ok) failures.push(`${limit.name} is exceeded: ${limit.detail}`);
  }
  if (ceiling.perServerConnections < DESIGN_GATEWAY_CEILING.connections) {
    const ceilingBinding = ceiling.limits.find((l) => l.name === ceiling.binding)!;
    failures.push(
      `a server at the brief's vertical size holds ${fmt(ceiling.perServerConnections)} connections, below ` +
        `${fmt(DESIGN_GATEWAY_CEILING.connections)}: ${ceiling.binding} binds (${ceilingBinding.detail})`,
    );
  }
  return {
    profile: profile.name,
    targetConnections,
    targetPerServer,
    servers,
    maxServers: profile.workloads.gateway.maxReplicas,
    perServerConnections: current.perServerConnections,
    totalConnections,
    binding: current.binding,
    headroom: totalConnections / targetConnections - 1,
    limits: current.limits,
    current,
    ceiling,
    ceilingPerServerConnections: ceiling.perServerConnections,
    failures,
  };
}

/** A profile whose gateway path cannot carry its connection target. */
export class CapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CapacityError';
  }
}

/** Throws a {@link CapacityError} naming the binding limit and its numbers when the profile cannot carry its target. */
export function assertCapacity(profile: Profile): CapacityReport {
  const report = evaluateCapacity(profile);
  if (report.failures.length > 0) {
    throw new CapacityError(
      `Profile "${profile.name}" cannot carry its connection target (npm run capacity -- -c env=${profile.name}):\n` +
        report.failures.map((f) => `  - ${f}`).join('\n'),
    );
  }
  return report;
}
