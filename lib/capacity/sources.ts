/**
 * Every figure the capacity model uses that comes from outside this repository, with where it is
 * written down. The infrastructure's own settings (conntrack size, open files, client IP
 * preservation) are imported from the constructs that apply them, not repeated here.
 */

/** A documented or measured figure. */
export interface SourcedFigure {
  readonly value: number;
  readonly source: string;
}

/**
 * "When client IP preservation is disabled, a Network Load Balancer supports 55,000 simultaneous
 * connections or about 55,000 connections per minute to each unique target (IP address and port)."
 */
export const NLB_CONNECTIONS_PER_TARGET: SourcedFigure = {
  value: 55_000,
  source:
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation',
};

/**
 * Targets per Network Load Balancer per Availability Zone; with cross-zone load balancing every
 * target counts in each enabled zone, so this is the load balancer's limit.
 */
export const NLB_TARGETS_PER_LOAD_BALANCER: SourcedFigure = {
  value: 500,
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html',
};

/** The NLB's idle timeout for TCP flows (TLS listeners included), in seconds. */
export const NLB_IDLE_TIMEOUT_SECONDS: SourcedFigure = {
  value: 350,
  source:
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#connection-idle-timeout',
};

/** ElastiCache (Redis OSS) `maxclients`: 65,000 per node, not modifiable. */
export const ELASTICACHE_MAX_CLIENTS: SourcedFigure = {
  value: 65_000,
  source: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html',
};

/**
 * Gateway RSS per further idle authenticated connection (JavaScript objects, `ws` state, socket
 * handles), from `npm run bench:gateway`: connections open in two equal waves and this is the
 * second wave's growth per connection, the larger of the two scenarios' (`idle`, 50,000
 * connections: 5,110 bytes; `heartbeat`, 200,000 with heartbeats: 4,010). Kept beside the model
 * so a new measurement changes the plan in one place.
 */
export const GATEWAY_RSS_PER_CONNECTION_BYTES: SourcedFigure = {
  value: 5_110,
  source: 'measured: npm run bench:gateway, idle and heartbeat scenarios, second wave (apps/gateway/README.md)',
};

/**
 * RSS of one gateway process (primary or worker) once it has taken a burst of upgrades, less its
 * connections: its young generation grown to the cap, compiled code, buffers. Both scenarios give
 * 115 MiB (RSS at the first wave less the first wave's connections at the slope, over the
 * processes).
 */
export const GATEWAY_BASELINE_RSS_PER_PROCESS_BYTES: SourcedFigure = {
  value: 115 * 1024 * 1024,
  source: 'measured: npm run bench:gateway, idle and heartbeat scenarios, first wave (apps/gateway/README.md)',
};

/**
 * Kernel memory per accepted TCP socket, charged to the pod's memory cgroup (cgroup v2 accounts
 * socket and slab memory to the cgroup that allocated it): the slab objects of one socket as
 * /proc/slabinfo sizes them on Linux 6.x, `TCP` 2368 + `sock_inode_cache` 832 + `filp` 192 +
 * `dentry` 192 + `eventpoll_epi` 128 bytes. An idle socket holds no buffered data.
 */
export const KERNEL_BYTES_PER_SOCKET: SourcedFigure = {
  value: 2_368 + 832 + 192 + 192 + 128,
  source:
    'https://docs.kernel.org/admin-guide/cgroup-v2.html#memory (kmem and sock are charged); object sizes from /proc/slabinfo',
};

/**
 * Gateway CPU per accepted upgrade (ES256 verification, the connection-limit script, handshake),
 * the slowest of the quiet connection-rate runs of `npm run bench:gateway` with `os` scheduling
 * (484, 529 and 636 µs): one core accepts ~1,570 a second.
 */
export const GATEWAY_CPU_SECONDS_PER_UPGRADE: SourcedFigure = {
  value: 636e-6,
  source: 'measured: npm run bench:gateway, connection rate (apps/gateway/README.md)',
};

/** Conntrack entries a gateway node keeps for its own flows (kubelet, DNS, Redis, probes, metrics). */
export const CONNTRACK_NODE_RESERVE: SourcedFigure = {
  value: 16_384,
  source: 'allowance: the node’s own flows are a few hundred; 16,384 leaves room for bursts of short ones',
};

/** Open files a gateway process keeps for itself (listening sockets, Redis, IPC, the runtime). */
export const FILE_DESCRIPTOR_PROCESS_RESERVE: SourcedFigure = {
  value: 1_024,
  source: 'allowance: a gateway worker opens a few dozen files besides its client sockets (bench: /proc/<pid>/fd)',
};

/**
 * Node.js raises its soft `RLIMIT_NOFILE` to the hard limit at start (`PlatformInit`), so the
 * container's hard limit is what a gateway process gets.
 */
export const NODE_RAISES_NOFILE =
  'https://github.com/nodejs/node/blob/v20.x/src/node.cc (PlatformInit: raise the open file descriptor limit)';

/**
 * Connections through a Network Load Balancer are always tracked by the instance's security-group
 * connection tracking, whose allowance per instance type AWS does not publish; the ENA driver's
 * `conntrack_allowance_exceeded` counter shows when it is reached.
 */
export const EC2_CONNECTION_TRACKING_SOURCE =
  'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html';

/** Redis connections each gateway process opens to the pub/sub cluster (`gateway-pub`, `gateway-sub`). */
export const GATEWAY_PUBSUB_CONNECTIONS_PER_PROCESS: SourcedFigure = {
  value: 2,
  source: 'apps/gateway/README.md (Redis: three clusters)',
};

/** The brief's vertical size of a WebSocket server and what it must hold. */
export const DESIGN_GATEWAY_CEILING = {
  vcpu: 16,
  memoryGiB: 32,
  connections: 1_000_000,
  source:
    '../shared/DESIGN.md: vertical sizing (WebSocket server 16 vCPU / 32 GB), 1M+ concurrent connections per server',
} as const;
