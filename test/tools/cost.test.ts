import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { DESIGN_ESTIMATE } from '../../tools/cost/design-estimate';
import { estimateCost } from '../../tools/cost/estimate';
import { loadPriceTable } from '../../tools/cost/price-table';
import { refreshPriceTable } from '../../tools/cost/refresh';
import { table } from '../../tools/common/format';
import { renderCostReport } from '../../tools/cost/report';
import { synthFixture } from './fixture-app';

const prices = loadPriceTable('ap-northeast-2');
const hours = prices.hoursPerMonth;
const ec2 = prices.hourly.ec2;

describe('estimateCost', () => {
  // Given the fixture app (2 NAT gateways, EKS with 3 c7i.xlarge nodes of 50 GiB, Multi-AZ
  // PostgreSQL with a replica, a 2x2 Redis cluster, OpenSearch 3 data + 3 masters, ALB + NLB).
  const estimate = estimateCost(synthFixture(), prices);
  const line = (path: string, description: string) =>
    estimate.lines.find((l) => l.path === path && l.description === description);

  test('node groups count at their desired size, with their disks', () => {
    expect(line('Cluster/Cluster/NodegroupGateway/Resource', '3 x c7i.xlarge')?.monthlyUsd).toBeCloseTo(
      3 * ec2['c7i.xlarge'] * hours,
    );
    expect(line('Cluster/Cluster/NodegroupGateway/Resource', '3 x 50 GiB gp3 node disk')?.monthlyUsd).toBeCloseTo(
      150 * prices.perGbMonth.ebs.gp3,
    );
  });

  test('Multi-AZ doubles the primary instance and its storage; the replica inherits the engine', () => {
    const pg = prices.hourly.rds.postgres['db.m7g.large'];
    expect(line('Data/Database/Resource', '2 x db.m7g.large postgres instance (Multi-AZ)')?.monthlyUsd).toBeCloseTo(
      2 * pg * hours,
    );
    expect(line('Data/Database/Resource', '2 x 100 GiB gp3 instance storage (Multi-AZ)')?.monthlyUsd).toBeCloseTo(
      200 * prices.perGbMonth.rds.gp3,
    );
    expect(line('Data/ReadReplica/Resource', '1 x db.m7g.large postgres read replica')?.monthlyUsd).toBeCloseTo(
      pg * hours,
    );
  });

  test('ElastiCache counts shards x (replicas + 1); OpenSearch counts data and master nodes and storage', () => {
    expect(line('Data/Cache', '4 x cache.r7g.large')).toBeDefined();
    expect(line('Data/Search/Resource', '3 x r7g.large.search data')).toBeDefined();
    expect(line('Data/Search/Resource', '3 x m7g.large.search master')).toBeDefined();
    expect(line('Data/Search/Resource', '3 x 100 GiB gp3 data node storage')?.monthlyUsd).toBeCloseTo(
      300 * prices.perGbMonth.opensearch.gp3,
    );
  });

  test('control plane, load balancers and NAT gateways are priced by the hour', () => {
    expect(estimate.byCategory.eks).toBeCloseTo(prices.hourly.eksCluster * hours);
    expect(estimate.byCategory.loadBalancers).toBeCloseTo(
      (prices.hourly.applicationLoadBalancer + prices.hourly.networkLoadBalancer) * hours,
    );
    expect(estimate.byCategory.nat).toBeCloseTo(2 * prices.hourly.natGateway * hours);
    expect(estimate.unpriced).toEqual([]);
    expect(estimate.totalUsd).toBeCloseTo(Object.values(estimate.byCategory).reduce((a, b) => a + b, 0));
  });

  test('an unknown instance type is reported, not priced at zero', () => {
    const withUnknown = estimateCost(synthFixture({ gatewayInstanceType: 'x9z.huge' }), prices);
    expect(withUnknown.unpriced).toEqual([
      expect.objectContaining({
        description: '3 x x9z.huge',
        unpriced: 'no price for x9z.huge in the price table',
        missing: { section: 'hourly.ec2', key: 'x9z.huge' },
      }),
    ]);
    expect(withUnknown.byCategory.compute).toBe(0);
    const report = renderCostReport('prod', withUnknown, prices, 'markdown');
    expect(report).toContain('**Not priced (1); the total leaves them out:**');
    expect(report).toContain('| no price for x9z.huge in the price table |');
  });
});

describe('renderCostReport', () => {
  test('puts every design-document category beside the estimate', () => {
    const text = renderCostReport('prod', estimateCost(synthFixture(), prices), prices, 'text');
    expect(text).toMatch(/EKS control plane\s+\$73\s+\$73\s+\$0/);
    expect(text).toMatch(/EC2 \(node groups, instances\)\s+\$442\s+\$2,000\s+-\$1,558/);
    expect(text).toMatch(/Data transfer\s+not estimated\s+\$200\s*\n/);
    expect(text).toContain(`as of ${prices.pricedOn}`);
  });
});

describe('the committed data', () => {
  test('the design rows add up to the document total within rounding', () => {
    const sum = DESIGN_ESTIMATE.rows.reduce((a, r) => a + r.monthlyUsd, 0);
    expect(Math.abs(sum - DESIGN_ESTIMATE.statedTotalUsd) / DESIGN_ESTIMATE.statedTotalUsd).toBeLessThan(0.01);
  });

  test('the price table is dated, sourced and covers every instance type of the shipped profiles', () => {
    expect(prices.pricedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const { PROFILES } = jest.requireActual('../../lib/config') as typeof import('../../lib/config');
    for (const p of Object.values(PROFILES)) {
      for (const g of Object.values(p.cluster.nodeGroups))
        for (const t of g.instanceTypes) expect(ec2).toHaveProperty([t]);
      expect(prices.hourly.rds.postgres).toHaveProperty([p.database.instanceClass]);
      for (const r of [p.redis.cache, p.redis.pubsub, p.redis.streams])
        expect(prices.hourly.elasticache).toHaveProperty([r.nodeType]);
      expect(prices.hourly.opensearch).toHaveProperty([p.search.dataNodeInstanceType]);
      expect(prices.hourly.opensearch).toHaveProperty([p.search.dedicatedMasterInstanceType]);
    }
  });

  test('an unknown region names the missing table', () => {
    expect(() => loadPriceTable('eu-west-9')).toThrow(
      /No price table for region eu-west-9 .*prices-eu-west-9\.json.*--refresh/,
    );
  });
});

describe('refreshPriceTable', () => {
  const pricing = mockClient(PricingClient);
  afterEach(() => pricing.reset());

  const product = (usd: string) =>
    JSON.stringify({
      terms: {
        OnDemand: { X: { priceDimensions: { Y: { beginRange: '0', unit: 'Hrs', pricePerUnit: { USD: usd } } } } },
      },
    });

  test('updates what the Price List API prices, adds missing types, keeps the rest, and dates the table', async () => {
    // A fake Price List: prices for two EC2 types and the EKS control plane, nothing else.
    pricing
      .on(GetProductsCommand)
      .callsFake((input: { ServiceCode: string; Filters: { Field: string; Value: string }[] }) => {
        const type = input.Filters.find((f) => f.Field === 'instanceType')?.Value;
        if (input.ServiceCode === 'AmazonEC2' && type === 'c7i.xlarge') return { PriceList: [product('0.2222')] };
        if (input.ServiceCode === 'AmazonEC2' && type === 'c8i.xlarge') return { PriceList: [product('0.25')] };
        if (input.ServiceCode === 'AmazonEKS') return { PriceList: [product('0.10')] };
        return { PriceList: [] };
      });

    const missing = [
      {
        stack: 'S',
        path: 'p',
        category: 'compute' as const,
        description: '1 x c8i.xlarge',
        missing: { section: 'hourly.ec2', key: 'c8i.xlarge' },
      },
    ];
    const { table, kept } = await refreshPriceTable(
      new PricingClient({ region: 'us-east-1' }),
      prices,
      missing,
      '2030-01-02',
    );

    expect(table.hourly.ec2['c7i.xlarge']).toBe(0.2222);
    expect(table.hourly.ec2['c8i.xlarge']).toBe(0.25);
    expect(table.hourly.ec2['m7i.large']).toBe(prices.hourly.ec2['m7i.large']);
    expect(kept).toContain('hourly.ec2.m7i.large');
    expect(kept).not.toContain('hourly.eksCluster');
    expect(table.pricedOn).toBe('2030-01-02');
    expect(table.source).toMatch(/AWS Price List API/);
    const ec2Call = pricing.commandCalls(GetProductsCommand).find((c) => c.args[0].input.ServiceCode === 'AmazonEC2');
    expect(ec2Call?.args[0].input.Filters).toEqual(
      expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'ap-northeast-2' },
        { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
        { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
      ]),
    );
  });
});

describe('table', () => {
  test('folds multi-line cells onto one line, and escapes pipes in Markdown', () => {
    const rows = [['+', 'sts:AssumeRole\nsts:TagSession', 'a|b']];
    expect(table(['', 'action', 'x'], rows, false).split('\n')[2]).toBe('+  sts:AssumeRole sts:TagSession  a|b');
    expect(table(['', 'action', 'x'], rows, true).split('\n')[2]).toBe(
      '| + | sts:AssumeRole<br>sts:TagSession | a\\|b |',
    );
  });
});
