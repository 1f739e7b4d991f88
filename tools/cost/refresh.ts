import { type Filter, GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import type { CostLine } from './estimate';
import type { PriceTable } from './price-table';

/** Price List API names of the RDS engines the templates use. */
const RDS_ENGINES: Readonly<Record<string, string>> = {
  postgres: 'PostgreSQL',
  'aurora-postgresql': 'Aurora PostgreSQL',
  mysql: 'MySQL',
  'aurora-mysql': 'Aurora MySQL',
  mariadb: 'MariaDB',
};

/** Price List API volume names of the storage types the templates use. */
const EBS_VOLUMES: Readonly<Record<string, string>> = { gp3: 'gp3', gp2: 'gp2', io1: 'io1', st1: 'st1' };
const RDS_VOLUMES: Readonly<Record<string, string>> = {
  gp3: 'General Purpose-GP3',
  gp2: 'General Purpose',
  io1: 'Provisioned IOPS',
  io2: 'Provisioned IOPS-IO2',
};
const SEARCH_VOLUMES: Readonly<Record<string, string>> = { gp3: 'GP3', gp2: 'GP2' };

/** The outcome of a refresh: the new table, and the entries the API gave no price for (kept as they were). */
export interface RefreshResult {
  readonly table: PriceTable;
  readonly kept: string[];
}

/**
 * Rebuilds the price table from the AWS Price List API (GetProducts), for every entry already in
 * `current` plus the entries `missing` lines asked for. An entry the API has no on-demand price for
 * keeps its old value and is listed in `kept`; a missing entry with no price stays missing, so the
 * report still names it instead of pricing it at zero.
 */
export async function refreshPriceTable(
  client: PricingClient,
  current: PriceTable,
  missing: readonly CostLine[],
  today: string,
): Promise<RefreshResult> {
  const table = structuredClone(current) as PriceTable;
  const region = current.region;
  const kept: string[] = [];
  const regionFilter = term('regionCode', region);

  const ec2 = keysOf(table.hourly.ec2, missing, 'hourly.ec2');
  const cache = keysOf(table.hourly.elasticache, missing, 'hourly.elasticache');
  const search = keysOf(table.hourly.opensearch, missing, 'hourly.opensearch');

  const record = (label: string, target: Record<string, number>, key: string, price: number | undefined) => {
    if (price === undefined) {
      if (target[key] !== undefined) kept.push(label);
      else kept.push(`${label} (no price found: stays unpriced)`);
    } else {
      target[key] = price;
    }
  };
  const set = async (
    label: string,
    target: Record<string, number>,
    key: string,
    service: string,
    filters: Filter[],
    reserved?: Record<string, number>,
  ) => {
    const found = await productPrices(client, service, [regionFilter, ...filters]);
    record(label, target, key, found.onDemand);
    // An instance type's 1-year no-upfront rate comes with the same product; a missing one stays missing.
    if (reserved) record(`reserved.${label}`, reserved, key, found.reserved);
  };

  /** On-demand and reserved hourly prices of each instance type of a one-level section. */
  const instances = async (
    section: 'ec2' | 'elasticache' | 'opensearch',
    types: Iterable<string>,
    service: string,
    filters: readonly Filter[],
  ) => {
    for (const type of types) {
      await set(
        `hourly.${section}.${type}`,
        table.hourly[section],
        type,
        service,
        [term('instanceType', type), ...filters],
        table.reserved.hourly[section],
      );
    }
  };

  await instances('ec2', ec2, 'AmazonEC2', [
    term('operatingSystem', 'Linux'),
    term('tenancy', 'Shared'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
    term('licenseModel', 'No License required'),
  ]);
  const engines = new Set([
    ...Object.keys(table.hourly.rds),
    ...missing.flatMap((l) =>
      l.missing?.section.startsWith('hourly.rds.') ? [l.missing.section.slice('hourly.rds.'.length)] : [],
    ),
  ]);
  for (const engine of engines) {
    table.hourly.rds[engine] ??= {};
    table.reserved.hourly.rds[engine] ??= {};
    const engineName = RDS_ENGINES[engine];
    for (const type of keysOf(table.hourly.rds[engine], missing, `hourly.rds.${engine}`)) {
      if (engineName === undefined) {
        kept.push(`hourly.rds.${engine}.${type} (engine not known to the Price List lookup)`);
        continue;
      }
      await set(
        `hourly.rds.${engine}.${type}`,
        table.hourly.rds[engine],
        type,
        'AmazonRDS',
        [term('instanceType', type), term('databaseEngine', engineName), term('deploymentOption', 'Single-AZ')],
        table.reserved.hourly.rds[engine],
      );
    }
  }
  await instances('elasticache', cache, 'AmazonElastiCache', [term('cacheEngine', 'Redis')]);
  await instances('opensearch', search, 'AmazonES', []);

  const single = async (key: keyof PriceTable['hourly'], service: string, filters: Filter[]) => {
    const price = await onDemandPrice(client, service, [regionFilter, ...filters]);
    if (price === undefined) kept.push(`hourly.${key}`);
    else (table.hourly as Record<string, unknown>)[key] = price;
  };
  // The one-price items: service, product family (where the usage type alone is ambiguous), usage type.
  const singles: ReadonlyArray<[keyof PriceTable['hourly'], string, string | undefined, string]> = [
    ['eksCluster', 'AmazonEKS', undefined, 'AmazonEKS-Hours:perCluster'],
    ['natGateway', 'AmazonEC2', 'NAT Gateway', 'NatGateway-Hours'],
    ['applicationLoadBalancer', 'AWSELB', 'Load Balancer-Application', 'LoadBalancerUsage'],
    ['networkLoadBalancer', 'AWSELB', 'Load Balancer-Network', 'LoadBalancerUsage'],
    ['interfaceEndpointPerAz', 'AmazonVPC', 'VpcEndpoint', 'VpcEndpoint-Hours'],
  ];
  for (const [key, service, productFamily, usageType] of singles) {
    const family = productFamily === undefined ? [] : [term('productFamily', productFamily)];
    await single(key, service, [...family, contains('usagetype', usageType)]);
  }

  const volumes = async (section: 'ebs' | 'rds' | 'opensearch', names: Readonly<Record<string, string>>) => {
    for (const type of keysOf(table.perGbMonth[section], missing, `perGbMonth.${section}`)) {
      const name = names[type];
      const filters =
        section === 'ebs'
          ? [term('productFamily', 'Storage'), term('volumeApiName', name ?? type)]
          : section === 'rds'
            ? [
                term('productFamily', 'Database Storage'),
                term('volumeType', name ?? type),
                term('deploymentOption', 'Single-AZ'),
                term('databaseEngine', 'PostgreSQL'),
              ]
            : [term('productFamily', 'Amazon OpenSearch Service Volume'), term('storageMedia', name ?? type)];
      const service = section === 'ebs' ? 'AmazonEC2' : section === 'rds' ? 'AmazonRDS' : 'AmazonES';
      await set(`perGbMonth.${section}.${type}`, table.perGbMonth[section], type, service, filters);
    }
  };
  await volumes('ebs', EBS_VOLUMES);
  await volumes('rds', RDS_VOLUMES);
  await volumes('opensearch', SEARCH_VOLUMES);

  return {
    table: {
      ...table,
      reserved: {
        ...table.reserved,
        pricedOn: today,
        source: `AWS Price List API (GetProducts, Reserved ${table.reserved.term}, standard offering class) for ${region}; entries listed as kept were not found and keep their previous value`,
      },
      pricedOn: today,
      source: `AWS Price List API (GetProducts, on-demand) for ${region}; entries listed as kept were not found and keep their previous value`,
    },
    kept,
  };
}

type PriceDimensions = Record<string, { beginRange?: string; unit?: string; pricePerUnit?: { USD?: string } }>;
interface Offer {
  termAttributes?: Record<string, string>;
  priceDimensions?: PriceDimensions;
}

/**
 * The on-demand USD unit price of the first product matching `filters`, and its 1-year, no-upfront,
 * standard Reserved hourly rate when the product has one. Tiered prices take the first tier (from
 * 0), which is what a single cluster pays.
 */
export async function productPrices(
  client: PricingClient,
  serviceCode: string,
  filters: Filter[],
): Promise<{ onDemand?: number; reserved?: number }> {
  const response = await client.send(
    new GetProductsCommand({ ServiceCode: serviceCode, Filters: filters, MaxResults: 20 }),
  );
  for (const item of response.PriceList ?? []) {
    const product = JSON.parse(String(item)) as {
      terms?: { OnDemand?: Record<string, Offer>; Reserved?: Record<string, Offer> };
    };
    const onDemand = firstPrice(Object.values(product.terms?.OnDemand ?? {}));
    if (onDemand === undefined) continue;
    const oneYearNoUpfront = Object.values(product.terms?.Reserved ?? {}).filter(
      (o) =>
        o.termAttributes?.LeaseContractLength === '1yr' &&
        o.termAttributes?.PurchaseOption === 'No Upfront' &&
        (o.termAttributes?.OfferingClass ?? 'standard') === 'standard',
    );
    return { onDemand, reserved: firstPrice(oneYearNoUpfront, 'Hrs') };
  }
  return {};
}

/** The on-demand USD unit price of the first product matching `filters`, or undefined. */
export async function onDemandPrice(
  client: PricingClient,
  serviceCode: string,
  filters: Filter[],
): Promise<number | undefined> {
  return (await productPrices(client, serviceCode, filters)).onDemand;
}

function firstPrice(offers: readonly Offer[], unit?: string): number | undefined {
  for (const offer of offers) {
    for (const dimension of Object.values(offer.priceDimensions ?? {})) {
      const price = Number(dimension.pricePerUnit?.USD);
      if (unit !== undefined && dimension.unit !== unit) continue;
      if ((dimension.beginRange ?? '0') === '0' && Number.isFinite(price) && price > 0) return price;
    }
  }
  return undefined;
}

function keysOf(existing: Record<string, number>, missing: readonly CostLine[], section: string): string[] {
  const wanted = new Set(Object.keys(existing));
  for (const line of missing) if (line.missing?.section === section) wanted.add(line.missing.key);
  return [...wanted].sort();
}

function term(field: string, value: string): Filter {
  return { Type: 'TERM_MATCH', Field: field, Value: value };
}

function contains(field: string, value: string): Filter {
  return { Type: 'CONTAINS', Field: field, Value: value };
}
