import {
  type AssemblyStack,
  referencedLogicalIds,
  refTarget,
  resourcePath,
  type TemplateResource,
} from '../common/assembly';
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
}

/** The estimate of one synthesized app. */
export interface CostEstimate {
  readonly lines: CostLine[];
  readonly byCategory: Record<CostCategory, number>;
  readonly totalUsd: number;
  /** Lines without a price; the total excludes them, so it is a lower bound when this is non-empty. */
  readonly unpriced: CostLine[];
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
export function estimateCost(stacks: readonly AssemblyStack[], prices: PriceTable): CostEstimate {
  const lines: CostLine[] = [];
  for (const stack of stacks) {
    const resources = stack.template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const add: Add = (line) => lines.push({ stack: stack.id, path: resourcePath(logicalId, resource), ...line });
      priceResource(resource, resources, prices, add);
    }
  }
  const byCategory = Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>;
  for (const line of lines) if (line.monthlyUsd !== undefined) byCategory[line.category] += line.monthlyUsd;
  const totalUsd = Object.values(byCategory).reduce((a, b) => a + b, 0);
  return { lines, byCategory, totalUsd, unpriced: lines.filter((l) => l.monthlyUsd === undefined) };
}

function priceResource(
  resource: TemplateResource,
  resources: Record<string, TemplateResource>,
  prices: PriceTable,
  add: Add,
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
      const count = literalNumber(record(props.ScalingConfig).DesiredSize ?? record(props.ScalingConfig).MinSize ?? 2);
      const spot = props.CapacityType === 'SPOT' ? ' (spot, priced on-demand)' : '';
      instances(add, 'compute', 'ec2', count, types?.[0], hourly.ec2, month, spot);
      // Without a launch template EKS gives each node one gp3 root volume of DiskSize (default 20 GiB).
      const fromTemplate = template ? blockDevices(template.BlockDeviceMappings) : [];
      const disks = fromTemplate.length > 0 ? fromTemplate : [{ size: props.DiskSize ?? 20, type: 'gp3' }];
      for (const disk of disks)
        storage(add, 'ebs', 'ebs', count, disk.size, disk.type, prices.perGbMonth.ebs, 'node disk');
      return;
    }
    case 'AWS::AutoScaling::AutoScalingGroup': {
      const template = launchTemplateData(record(props.LaunchTemplate).LaunchTemplateId, resources);
      const count = literalNumber(props.DesiredCapacity ?? props.MinSize);
      instances(add, 'compute', 'ec2', count, asString(template?.InstanceType), hourly.ec2, month);
      for (const disk of template ? blockDevices(template.BlockDeviceMappings) : []) {
        storage(add, 'ebs', 'ebs', count, disk.size, disk.type, prices.perGbMonth.ebs, 'instance disk');
      }
      return;
    }
    case 'AWS::EC2::Instance':
      instances(add, 'compute', 'ec2', 1, asString(props.InstanceType), hourly.ec2, month);
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
        hourly.elasticache,
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
        hourly.elasticache,
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
  const table = prices.hourly.rds[engine] ?? {};
  instances(
    add,
    'rds',
    `rds.${engine}`,
    factor,
    asString(props.DBInstanceClass),
    table,
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
    prices.hourly.opensearch,
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
      prices.hourly.opensearch,
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
      prices.hourly.opensearch,
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

function instances(
  add: Add,
  category: CostCategory,
  section: string,
  count: number | undefined,
  type: string | undefined,
  table: Record<string, number>,
  hoursPerMonth: number,
  suffix = '',
): void {
  const what = `${count ?? '?'} x ${type ?? '?'}${suffix}`;
  if (count === undefined) return add({ category, description: what, unpriced: 'count not known at synth' });
  if (type === undefined) return add({ category, description: what, unpriced: 'instance type not known at synth' });
  const price = table[type];
  if (price === undefined)
    return add({
      category,
      description: what,
      unpriced: `no price for ${type} in the price table`,
      missing: { section: `hourly.${section}`, key: type },
    });
  add({ category, description: what, monthlyUsd: count * price * hoursPerMonth });
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
