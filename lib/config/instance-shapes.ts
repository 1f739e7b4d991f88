/**
 * vCPU and memory of the instance types the profiles name, derived from the type's name so the
 * table covers every type of the price table (`tools/cost/prices-*.json`; a test checks that).
 *
 * Current-generation families follow one rule (AWS instance type naming, "Instance type
 * specifications" in the EC2 documentation): `large` is 2 vCPU, `xlarge` 4, `Nxlarge` 4N, `medium` 1;
 * memory per vCPU is 2 GiB for compute (`c`), 4 GiB for general purpose (`m`) and 8 GiB for memory
 * optimized (`r`) families. Burstable `t` sizes do not follow it and are listed.
 * The RDS (`db.`), ElastiCache (`cache.`) and OpenSearch (`.search`) names wrap the same shapes.
 */
export interface InstanceShape {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** Burstable sizes: 2 vCPU from micro to large, memory doubling per size (t3/t4g alike). */
const BURSTABLE: Readonly<Record<string, InstanceShape>> = {
  micro: { vcpu: 2, memoryGiB: 1 },
  small: { vcpu: 2, memoryGiB: 2 },
  medium: { vcpu: 2, memoryGiB: 4 },
  large: { vcpu: 2, memoryGiB: 8 },
  xlarge: { vcpu: 4, memoryGiB: 16 },
  '2xlarge': { vcpu: 8, memoryGiB: 32 },
};

const MEMORY_PER_VCPU: Readonly<Record<string, number>> = { c: 2, m: 4, r: 8 };

/** The shape of `type` (EC2, `db.*`, `cache.*` or `*.search`), or undefined when the name follows no known rule. */
export function instanceShape(type: string): InstanceShape | undefined {
  const bare = type.replace(/^(db|cache)\./, '').replace(/\.search$/, '');
  const match = /^([a-z]+)(\d+)([a-z-]*)\.([a-z0-9]+)$/.exec(bare);
  if (!match) return undefined;
  const [, kind, , , size] = match;
  if (kind === 't') return BURSTABLE[size];
  const perVcpu = MEMORY_PER_VCPU[kind];
  if (perVcpu === undefined) return undefined;
  const vcpu = sizeVcpu(size);
  return vcpu === undefined ? undefined : { vcpu, memoryGiB: vcpu * perVcpu };
}

function sizeVcpu(size: string): number | undefined {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const n = /^(\d+)xlarge$/.exec(size);
  return n ? 4 * Number(n[1]) : undefined;
}

/**
 * What one node offers pods (MiB and millicores): the instance less the kubelet's reservation as
 * the EKS AMIs compute it (CPU: 6% of the first core, 1% of the second, 0.5% of the next two,
 * 0.25% of the rest; memory: 255 MiB + 11 MiB per pod at the AMI's max-pods, taken here as 58,
 * the VPC CNI's figure for the 4-8 vCPU sizes, plus the 100 MiB hard-eviction threshold), less
 * the requests of the daemon sets every node runs (VPC CNI, kube-proxy, Pod Identity agent, EBS
 * CSI node, Fluent Bit, node exporter: estimated at 300m and 600 MiB; check against
 * `kubectl describe node` once deployed).
 * Source: awslabs/amazon-eks-ami, nodeadm/internal/kubelet/config.go (getMemoryMebibytesToReserve,
 * the CPU reservation ranges).
 */
export function nodeAllocatable(shape: InstanceShape): { cpuMillis: number; memoryMiB: number } {
  const cores = shape.vcpu;
  const reservedCpu =
    60 + (cores > 1 ? 10 : 0) + Math.min(Math.max(cores - 2, 0), 2) * 5 + Math.max(cores - 4, 0) * 2.5;
  const reservedMemory = 255 + 11 * 58 + 100;
  const daemonSets = { cpuMillis: 300, memoryMiB: 600 };
  return {
    cpuMillis: Math.floor(cores * 1000 - reservedCpu - daemonSets.cpuMillis),
    memoryMiB: Math.floor(shape.memoryGiB * 1024 - reservedMemory - daemonSets.memoryMiB),
  };
}

/** Pods of the given request one node of `shape` holds. */
export function podsPerNode(shape: InstanceShape, cpuMillis: number, memoryMiB: number): number {
  const free = nodeAllocatable(shape);
  return Math.max(0, Math.min(Math.floor(free.cpuMillis / cpuMillis), Math.floor(free.memoryMiB / memoryMiB)));
}

/** Millicores of a Kubernetes CPU quantity (`500m`, `2`, `1.5`). */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

/** MiB of a Kubernetes memory quantity (`768Mi`, `4Gi`). */
export function memoryMiB(quantity: string): number {
  return quantity.endsWith('Gi') ? Number(quantity.slice(0, -2)) * 1024 : Number(quantity.slice(0, -2));
}
