import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/** The rows of the cost report; the design document's table maps onto the same categories. */
export const COST_CATEGORIES = [
  'eks',
  'compute',
  'ebs',
  'rds',
  'elasticache',
  'opensearch',
  'loadBalancers',
  'nat',
  'network',
  'other',
  'dataTransfer',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export const CATEGORY_LABELS: Readonly<Record<CostCategory, string>> = {
  eks: 'EKS control plane',
  compute: 'EC2 (node groups, instances)',
  ebs: 'EBS volumes',
  rds: 'RDS',
  elasticache: 'ElastiCache',
  opensearch: 'OpenSearch',
  loadBalancers: 'Load balancers (ALB/NLB)',
  nat: 'NAT gateways',
  network: 'VPC endpoints',
  other: 'KMS, secrets, alarms',
  dataTransfer: 'Data transfer',
};

const usd = z.number().nonnegative();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-01-31');
const priceMap = z.record(z.string(), usd);
/** Hourly prices of the instance-priced services, by instance type; the same keys on demand and reserved. */
const instanceHourly = {
  ec2: priceMap,
  /** Single-AZ instance prices keyed by engine (`postgres`, `aurora-postgresql`, ...). */
  rds: z.record(z.string(), priceMap),
  elasticache: priceMap,
  opensearch: priceMap,
};

/** The committed price table: on-demand USD, hourly unless the section says otherwise. */
export const priceTableSchema = z
  .object({
    region: z.string(),
    currency: z.literal('USD'),
    pricedOn: date,
    source: z.string().min(1),
    hoursPerMonth: z.number().positive(),
    hourly: z
      .object({
        ...instanceHourly,
        eksCluster: usd,
        natGateway: usd,
        applicationLoadBalancer: usd,
        networkLoadBalancer: usd,
        interfaceEndpointPerAz: usd,
      })
      .strict(),
    perGbMonth: z.object({ ebs: priceMap, rds: priceMap, opensearch: priceMap }).strict(),
    monthly: z.object({ kmsKey: usd, secret: usd, alarm: usd }).strict(),
    /** 1-year, no-upfront Reserved Instance / Savings Plan rates: what a commitment costs per hour. */
    reserved: z
      .object({
        pricedOn: date,
        term: z.literal('1 year, no upfront'),
        source: z.string().min(1),
        hourly: z.object(instanceHourly).strict(),
      })
      .strict(),
    /** Spot rates: an average over a stated period (Spot prices move), dated and sourced. */
    spot: z
      .object({
        pricedOn: date,
        averagedOver: z.string().min(1),
        source: z.string().min(1),
        hourly: z.object({ ec2: priceMap }).strict(),
      })
      .strict(),
  })
  .strict();
export type PriceTable = z.infer<typeof priceTableSchema>;

/** Where the committed table for `region` lives. */
export function priceTableFile(region: string): string {
  return path.join(__dirname, `prices-${region}.json`);
}

/** Loads and validates the committed price table of `region`. */
export function loadPriceTable(region: string): PriceTable {
  const file = priceTableFile(region);
  if (!fs.existsSync(file)) {
    throw new Error(
      `No price table for region ${region} (expected ${path.basename(file)} beside the cost tool); create it with --refresh`,
    );
  }
  const parsed = priceTableSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Price table ${path.basename(file)} is invalid:\n${lines.join('\n')}`);
  }
  if (parsed.data.region !== region) {
    throw new Error(`Price table ${path.basename(file)} says region ${parsed.data.region}, expected ${region}`);
  }
  return parsed.data;
}
