import {
  type AssemblyStack,
  referencedLogicalIds,
  refTarget,
  resourcePath,
  type TemplateResource,
} from '../common/assembly';
import { instanceShape, podsPerNode } from '../../lib/config/instance-shapes';
import { NODE_ROLE_LABEL } from '../../lib/contract/node-roles';
import { literalNumber } from '../common/template-values';
import { COST_CATEGORIES, type CostCategory, type PriceTable } from './price-table';

/** One priced (or unpriceable) part of a stack. */
export interface CostLine {
  readonly stack: string;
  readonly path: string;
  readonly category: CostCategory;
  /** What is counted, e.g. `10 x c7i.4xlarge`. */
  readonly description: string;
  /** Monthly USD, or undefined when the line could not be priced (see `unpriced`). */
  readonly monthlyUsd?: number;
  /** Why the line has no price: an unknown instance type or a size only known at deploy time. */
  readonly unpriced?: string;
  /** The price-table entry that was missing, so `--refresh` can look it up: e.g. `{ section: 'ec2', key: 'c7i.4xlarge' }`. */
  readonly missing?: { readonly section: string; readonly key: string };
  /**
   * Monthly USD at 1-year no-upfront Reserved / Savings Plan rates; the on-demand figure for what
   * cannot be reserved (storage, load balancers, NAT, the EKS control plane). Undefined: rate missing.
   */
  readonly reservedUsd?: number;
  /** Monthly USD with Spot where the node group runs Spot, the Reserved figure elsewhere. Undefined: rate missing. */
  readonly spotUsd?: number;
  /** Rates the Reserved or Spot figure lacks (`reserved.hourly.ec2.c7g.xlarge`); that total leaves the line out. */
  readonly missingRates?: readonly string[];
  /** A node group's role (its `co-talk.io/node-role` label), so the report can set it beside the design's line. */
  readonly nodeRole?: string;
}

/** The three ways the design prices the deployment, USD a month. */
export interface CostTotals {
  readonly onDemand: number;
  readonly reserved: number;
  readonly spot: number;
}

/** Pods a node group must hold at rest, and each pod's request: the group is priced at the nodes they take. */
export interface PodDemand {
  readonly workload: string;
  readonly pods: number;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** What the templates cannot tell, from the profile. */
export interface EstimateOptions {
  /** Pods each node group role must run at rest (the API tier: the target column's 20 pods). */
  readonly podDemand?: Readonly<Record<string, PodDemand>>;
  /** A data-transfer figure counted in every total (the design document's $200 for prod). */
  readonly dataTransferUsd?: number;
}

/** The estimate of one synthesized app. */
export interface CostEstimate {
  readonly lines: CostLine[];
  readonly byCategory: Record<CostCategory, number>;
  readonly totalUsd: number;
  /** Lines without a price; the total excludes them, so it is a lower bound when this is non-empty. */
  readonly unpriced: CostLine[];
  /** On demand, Reserved and Spot; each leaves out the lines it has no rate for (listed in `missingRates`). */
  readonly totals: CostTotals;
  /** Priced lines whose Reserved or Spot rate is missing: reported, never counted as zero. */
  readonly missingRates: CostLine[];
}

/** Usage-based charges a template cannot tell; the report names them so nobody reads the total as complete. */
export const NOT_ESTIMATED = [
  'data transfer out and cross-zone traffic',
  'load balancer capacity units (LCU) and NAT gateway data processing',
  'CloudWatch logs ingestion and storage, OpenSearch/RDS backups beyond the free allowance',
];

type Add = (line: Omit<CostLine, 'stack' | 'path'>) => void;

/**
 * Estimates the monthly on-demand cost of every stack from its synthesized template: node groups
 * at their desired size, RDS instances (Multi-AZ doubles instance and storage) and replicas,
 * ElastiCache nodes, OpenSearch data and master nodes with storage, load balancers, NAT gateways,
 * the EKS control plane, EBS. Only literal values count: a size computed at deploy time is
 * reported as unpriced, as is any type missing from the price table.
 */
export function estimateCost(
  stacks: readonly AssemblyStack[],
  prices: PriceTable,
  options: EstimateOptions = {},
): CostEstimate {
  const lines: CostLine[] = [];
  for (const stack of stacks) {
    const resources = stack.template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      // A line that names no Reserved or Spot figure is one nothing can be reserved for: all three alike.
      const add: Add = (line) =>
        lines.push({
          stack: stack.id,
          path: resourcePath(logicalId, resource),
          ...line,
          reservedUsd: 'reservedUsd' in line ? line.reservedUsd : line.monthlyUsd,
          spotUsd: 'spotUsd' in line ? line.spotUsd : 'reservedUsd' in line ? line.reservedUsd : line.monthlyUsd,
        });
      priceResource(resource, resources, prices, add, options);
    }
  }
  if (options.dataTransferUsd !== undefined) {
    lines.push({
      stack: '-',
      path: '-',
      category: 'dataTransfer',
      description: "data transfer (the design document's figure: usage, not in a template)",
      monthlyUsd: options.dataTransferUsd,
      reservedUsd: options.dataTransferUsd,
      spotUsd: options.dataTransferUsd,
    });
  }
  const byCategory = Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>;
  for (const line of lines) if (line.monthlyUsd !== undefined) byCategory[line.category] += line.monthlyUsd;
  const totalUsd = Object.values(byCategory).reduce((a, b) => a + b, 0);
  const sum = (pick: (l: CostLine) => number | undefined) => lines.reduce((a, l) => a + (pick(l) ?? 0), 0);
  return {
    lines,
    byCategory,
    totalUsd,
    unpriced: lines.filter((l) => l.monthlyUsd === undefined),
    totals: { onDemand: totalUsd, reserved: sum((l) => l.reservedUsd), spot: sum((l) => l.spotUsd) },
    missingRates: lines.filter((l) => l.monthlyUsd !== undefined && (l.missingRates?.length ?? 0) > 0),
  };
}

function priceResource(
  resource: TemplateResource,
  resources: Record<string, TemplateResource>,
  prices: PriceTable,
  add: Add,
  options: EstimateOptions,
): void {
  const props = resource.Properties ?? {};
  const month = prices.hoursPerMonth;
  const hourly = prices.hourly;
  switch (resource.Type) {
    case 'AWS::EKS::Cluster':
    case 'Custom::AWSCDK-EKS-Cluster':
      add({ category: 'eks', description: 'EKS control plane', monthlyUsd: hourly.eksCluster * month });
      return;
    case 'AWS::EKS::Nodegroup': {
      const template = launchTemplateData(props.LaunchTemplate, resources);
      const types = asStringArray(props.InstanceTypes) ?? asStringArray([template?.InstanceType]);
      const desired = literalNumber(
        record(props.ScalingConfig).DesiredSize ?? record(props.ScalingConfig).MinSize ?? 2,
      );
      const nodeRole = asString(record(props.Labels)[NODE_ROLE_LABEL]);
      const { count, why } = nodesForPods(desired, types?.[0], nodeRole ? options.podDemand?.[nodeRole] : undefined);
      const spot = props.CapacityType === 'SPOT' ? (types ?? []) : undefined;
      const suffix = `${spot ? ' (Spot)' : ''}${why}`;
      instances(add, 'compute', 'ec2', count, types?.[0], ec2Rates(prices, spot), month, suffix, nodeRole);
      // Without a launch template EKS gives each node one gp3 root volume of DiskSize (default 20 GiB).
      const fromTemplate = template ? blockDevices(template.BlockDeviceMappings) : [];
      const disks = fromTemplate.length > 0 ? fromTemplate : [{ size: props.DiskSize ?? 20, type: 'gp3' }];
      for (const disk of disks)
        storage(
          (line) => add({ ...line, nodeRole }),
          'ebs',
          'ebs',
          count,
          disk.size,
          disk.type,
          prices.perGbMonth.ebs,
          'node disk',
        );
      return;
    }
    case 'AWS::AutoScaling::AutoScalingGroup': {
      const template = launchTemplateData(record(props.LaunchTemplate).LaunchTemplateId, resources);
      const count = literalNumber(props.DesiredCapacity ?? props.MinSize);
      instances(add, 'compute', 'ec2', count, asString(template?.InstanceType), ec2Rates(prices), month);
      for (const disk of template ? blockDevices(template.BlockDeviceMappings) : []) {
        storage(add, 'ebs', 'ebs', count, disk.size, disk.type, prices.perGbMonth.ebs, 'instance disk');
      }
      return;
    }
    case 'AWS::EC2::Instance':
      instances(add, 'compute', 'ec2', 1, asString(props.InstanceType), ec2Rates(prices), month);
      for (const disk of blockDevices(props.BlockDeviceMappings)) {
        storage(add, 'ebs', 'ebs', 1, disk.size, disk.type, prices.perGbMonth.ebs, 'instance disk');
      }
      return;
    case 'AWS::EC2::Volume':
      storage(add, 'ebs', 'ebs', 1, props.Size, props.VolumeType ?? 'gp2', prices.perGbMonth.ebs, 'volume');
      return;
    case 'AWS::RDS::DBInstance':
      priceDatabase(props, resources, prices, add);
      return;
    case 'AWS::ElastiCache::ReplicationGroup':
      instances(
        add,
        'elasticache',
        'elasticache',
        cacheNodes(props),
        asString(props.CacheNodeType),
        { onDemand: hourly.elasticache, reserved: prices.reserved.hourly.elasticache, reservedSection: 'elasticache' },
        month,
      );
      return;
    case 'AWS::ElastiCache::CacheCluster':
      instances(
        add,
        'elasticache',
        'elasticache',
        literalNumber(props.NumCacheNodes ?? 1),
        asString(props.CacheNodeType),
        { onDemand: hourly.elasticache, reserved: prices.reserved.hourly.elasticache, reservedSection: 'elasticache' },
        month,
      );
      return;
    case 'AWS::OpenSearchService::Domain':
    case 'AWS::Elasticsearch::Domain':
      priceSearchDomain(props, prices, add);
      return;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
      const network = props.Type === 'network';
      add({
        category: 'loadBalancers',
        description: network ? 'Network Load Balancer (hours only)' : 'Application Load Balancer (hours only)',
        monthlyUsd: (network ? hourly.networkLoadBalancer : hourly.applicationLoadBalancer) * month,
      });
      return;
    }
    case 'AWS::EC2::NatGateway':
      add({ category: 'nat', description: 'NAT gateway (hours only)', monthlyUsd: hourly.natGateway * month });
      return;
    case 'AWS::EC2::VPCEndpoint': {
      if (props.VpcEndpointType !== 'Interface') return;
      const zones = Array.isArray(props.SubnetIds) ? props.SubnetIds.length : undefined;
      if (zones === undefined) {
        add({ category: 'network', description: 'interface endpoint', unpriced: 'subnet count not known at synth' });
      } else {
        add({
          category: 'network',
          description: `interface endpoint x ${zones} zones`,
          monthlyUsd: hourly.interfaceEndpointPerAz * zones * month,
        });
      }
      return;
    }
    case 'AWS::KMS::Key':
      add({ category: 'other', description: 'KMS key', monthlyUsd: prices.monthly.kmsKey });
      return;
    case 'AWS::SecretsManager::Secret':
      add({ category: 'other', description: 'Secrets Manager secret', monthlyUsd: prices.monthly.secret });
      return;
    case 'AWS::CloudWatch::Alarm':
      add({ category: 'other', description: 'CloudWatch alarm', monthlyUsd: prices.monthly.alarm });
      return;
    default:
      return;
  }
}

function priceDatabase(
  props: Record<string, unknown>,
  resources: Record<string, TemplateResource>,
  prices: PriceTable,
  add: Add,
): void {
  // A read replica inherits engine and storage from its source when it does not set them.
  const sourceId = [...referencedLogicalIds(props.SourceDBInstanceIdentifier)].find(
    (id) => resources[id]?.Type === 'AWS::RDS::DBInstance',
  );
  const source = sourceId ? (resources[sourceId].Properties ?? {}) : {};
  const cluster = [...referencedLogicalIds(props.DBClusterIdentifier)].map((id) => resources[id]?.Properties ?? {})[0];
  const engine = asString(props.Engine ?? source.Engine ?? cluster?.Engine) ?? 'unknown-engine';
  const multiAz = props.MultiAZ === true || props.MultiAZ === 'true';
  const factor = multiAz ? 2 : 1;
  const role =
    props.SourceDBInstanceIdentifier !== undefined ? 'read replica' : cluster ? 'cluster instance' : 'instance';
  const label = `${engine} ${role}${multiAz ? ' (Multi-AZ)' : ''}`;
  instances(
    add,
    'rds',
    `rds.${engine}`,
    factor,
    asString(props.DBInstanceClass),
    {
      onDemand: prices.hourly.rds[engine] ?? {},
      reserved: prices.reserved.hourly.rds[engine] ?? {},
      reservedSection: `rds.${engine}`,
    },
    prices.hoursPerMonth,
    ` ${label}`,
  );
  if (cluster) return; // Aurora storage is billed by use, not allocated.
  const size = props.AllocatedStorage ?? source.AllocatedStorage;
  const type = props.StorageType ?? source.StorageType ?? 'gp2';
  storage(
    add,
    'rds',
    'rds',
    factor,
    size,
    type,
    prices.perGbMonth.rds,
    `${role} storage${multiAz ? ' (Multi-AZ)' : ''}`,
  );
}

function priceSearchDomain(props: Record<string, unknown>, prices: PriceTable, add: Add): void {
  const config = record(props.ClusterConfig ?? props.ElasticsearchClusterConfig);
  const dataNodes = literalNumber(config.InstanceCount ?? 1);
  const month = prices.hoursPerMonth;
  instances(
    add,
    'opensearch',
    'opensearch',
    dataNodes,
    asString(config.InstanceType),
    searchRates(prices),
    month,
    ' data',
  );
  if (config.DedicatedMasterEnabled === true || config.DedicatedMasterEnabled === 'true') {
    const masters = literalNumber(config.DedicatedMasterCount ?? 3);
    instances(
      add,
      'opensearch',
      'opensearch',
      masters,
      asString(config.DedicatedMasterType),
      searchRates(prices),
      month,
      ' master',
    );
  }
  if (config.WarmEnabled === true || config.WarmEnabled === 'true') {
    instances(
      add,
      'opensearch',
      'opensearch',
      literalNumber(config.WarmCount),
      asString(config.WarmType),
      searchRates(prices),
      month,
      ' warm',
    );
  }
  const ebs = record(props.EBSOptions);
  if (ebs.EBSEnabled === true || ebs.EBSEnabled === 'true') {
    storage(
      add,
      'opensearch',
      'opensearch',
      dataNodes,
      ebs.VolumeSize,
      ebs.VolumeType ?? 'gp2',
      prices.perGbMonth.opensearch,
      'data node storage',
    );
  }
}

/** Nodes of a replication group: shards x (replicas + 1), or the listed node groups, or the cluster count. */
function cacheNodes(props: Record<string, unknown>): number | undefined {
  if (Array.isArray(props.NodeGroupConfiguration)) {
    let total = 0;
    for (const group of props.NodeGroupConfiguration) {
      const replicas = literalNumber(record(group).ReplicaCount ?? 0);
      if (replicas === undefined) return undefined;
      total += replicas + 1;
    }
    return total;
  }
  if (props.NumNodeGroups !== undefined) {
    const shards = literalNumber(props.NumNodeGroups);
    const replicas = literalNumber(props.ReplicasPerNodeGroup ?? 0);
    return shards === undefined || replicas === undefined ? undefined : shards * (replicas + 1);
  }
  return literalNumber(props.NumCacheClusters ?? 1);
}

/** The hourly rates of one kind of instance: on demand, 1-year Reserved, and Spot for the types a Spot group may launch. */
interface Rates {
  readonly onDemand: Record<string, number>;
  readonly reserved: Record<string, number>;
  /** Where the Reserved rate lives in the price table, for the report of a missing one. */
  readonly reservedSection: string;
  readonly spot?: { readonly table: Record<string, number>; readonly types: readonly string[] };
}

function ec2Rates(prices: PriceTable, spotTypes?: readonly string[]): Rates {
  return {
    onDemand: prices.hourly.ec2,
    reserved: prices.reserved.hourly.ec2,
    reservedSection: 'ec2',
    spot: spotTypes ? { table: prices.spot.hourly.ec2, types: spotTypes } : undefined,
  };
}

function searchRates(prices: PriceTable): Rates {
  return {
    onDemand: prices.hourly.opensearch,
    reserved: prices.reserved.hourly.opensearch,
    reservedSection: 'opensearch',
  };
}

/**
 * The nodes a group is priced at: its desired size, or more when the pods it must run at rest
 * (`demand`) need more nodes of `type` (see `podsPerNode`).
 */
function nodesForPods(
  desired: number | undefined,
  type: string | undefined,
  demand: PodDemand | undefined,
): { count: number | undefined; why: string } {
  const shape = type ? instanceShape(type) : undefined;
  if (desired === undefined || demand === undefined || shape === undefined) return { count: desired, why: '' };
  const perNode = podsPerNode(shape, demand.cpuMillis, demand.memoryMiB);
  if (perNode === 0) return { count: desired, why: ` (a ${demand.workload} pod does not fit one node)` };
  const needed = Math.ceil(demand.pods / perNode);
  return { count: Math.max(desired, needed), why: ` (${demand.pods} ${demand.workload} pods, ${perNode} a node)` };
}

function instances(
  add: Add,
  category: CostCategory,
  section: string,
  count: number | undefined,
  type: string | undefined,
  rates: Rates,
  hoursPerMonth: number,
  suffix = '',
  nodeRole?: string,
): void {
  const what = `${count ?? '?'} x ${type ?? '?'}${suffix}`;
  if (count === undefined) return add({ category, description: what, unpriced: 'count not known at synth', nodeRole });
  if (type === undefined)
    return add({ category, description: what, unpriced: 'instance type not known at synth', nodeRole });
  const price = rates.onDemand[type];
  if (price === undefined)
    return add({
      category,
      description: what,
      unpriced: `no price for ${type} in the price table`,
      missing: { section: `hourly.${section}`, key: type },
      nodeRole,
    });
  const missingRates: string[] = [];
  const reservedRate = rates.reserved[type];
  if (reservedRate === undefined) missingRates.push(`reserved.hourly.${rates.reservedSection}.${type}`);
  const reservedUsd = reservedRate === undefined ? undefined : count * reservedRate * hoursPerMonth;
  let spotUsd = reservedUsd;
  if (rates.spot) {
    // A Spot group launches whichever of its types has capacity: price it at their average rate.
    const spotRates = rates.spot.types.map((t) => rates.spot?.table[t]);
    rates.spot.types.forEach((t, i) => spotRates[i] === undefined && missingRates.push(`spot.hourly.ec2.${t}`));
    const known = spotRates.filter((r): r is number => r !== undefined);
    spotUsd =
      known.length === spotRates.length
        ? (count * hoursPerMonth * known.reduce((a, b) => a + b, 0)) / known.length
        : undefined;
  }
  add({
    category,
    description: what,
    monthlyUsd: count * price * hoursPerMonth,
    reservedUsd,
    spotUsd,
    missingRates: missingRates.length > 0 ? missingRates : undefined,
    nodeRole,
  });
}

function storage(
  add: Add,
  category: CostCategory,
  section: string,
  count: number | undefined,
  sizeValue: unknown,
  typeValue: unknown,
  table: Record<string, number>,
  label: string,
): void {
  const size = literalNumber(sizeValue);
  const type = asString(typeValue) ?? 'gp2';
  const what = `${count ?? '?'} x ${size ?? '?'} GiB ${type} ${label}`;
  if (count === undefined || size === undefined)
    return add({ category, description: what, unpriced: 'size not known at synth' });
  const price = table[type];
  if (price === undefined)
    return add({
      category,
      description: what,
      unpriced: `no price for ${type} storage in the price table`,
      missing: { section: `perGbMonth.${section}`, key: type },
    });
  add({ category, description: what, monthlyUsd: count * size * price });
}

/** The launch template data a `{ Ref }` (or a `LaunchTemplate: { Id: { Ref } }`) points at, if in the same template. */
function launchTemplateData(
  value: unknown,
  resources: Record<string, TemplateResource>,
): Record<string, unknown> | undefined {
  const id =
    [...referencedLogicalIds(value)].find((ref) => resources[ref]?.Type === 'AWS::EC2::LaunchTemplate') ??
    refTarget(value);
  const lt = id ? resources[id] : undefined;
  return lt?.Type === 'AWS::EC2::LaunchTemplate' ? record(lt.Properties?.LaunchTemplateData) : undefined;
}

function blockDevices(value: unknown): { size: unknown; type: unknown }[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((mapping) => record(record(mapping).Ebs))
    .filter((ebs) => ebs.VolumeSize !== undefined)
    .map((ebs) => ({ size: ebs.VolumeSize, type: ebs.VolumeType ?? 'gp2' }));
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asStringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
