import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { DESIGN_ESTIMATE } from '../../tools/cost/design-estimate';
import { estimateCost } from '../../tools/cost/estimate';
import { loadPriceTable } from '../../tools/cost/price-table';
import { estimateOptions, extraChoices } from '../../tools/cost/profile-inputs';
import { refreshPriceTable } from '../../tools/cost/refresh';
import { INTERFACE_ENDPOINT_NAMES, loadProfile } from '../../lib/config';
import { table, usd } from '../../tools/common/format';
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

describe('three prices', () => {
  const reserved = prices.reserved.hourly;
  const spot = prices.spot.hourly.ec2;

  test('instances take their 1-year Reserved rate; what cannot be reserved costs the same in every column', () => {
    const estimate = estimateCost(synthFixture(), prices);
    const pg = estimate.lines.find((l) => l.description === '2 x db.m7g.large postgres instance (Multi-AZ)');
    expect(pg?.reservedUsd).toBeCloseTo(2 * reserved.rds.postgres['db.m7g.large'] * hours);
    expect(pg?.spotUsd).toBe(pg?.reservedUsd);
    const nat = estimate.lines.find((l) => l.category === 'nat');
    expect(nat?.reservedUsd).toBe(nat?.monthlyUsd);
    expect(estimate.totals.onDemand).toBeCloseTo(estimate.totalUsd);
    expect(estimate.totals.reserved).toBeLessThan(estimate.totals.onDemand);
    // No node group runs Spot: the Spot column is the Reserved one.
    expect(estimate.totals.spot).toBeCloseTo(estimate.totals.reserved);
  });

  test('a Spot node group is priced at the average Spot rate of its types', () => {
    const estimate = estimateCost(synthFixture({ gatewaySpotTypes: ['c7g.xlarge', 'c6g.xlarge'] }), prices);
    const gateway = estimate.lines.find((l) => l.nodeRole === 'gateway' && l.category === 'compute');
    expect(gateway?.description).toBe('3 x c7g.xlarge (Spot)');
    expect(gateway?.monthlyUsd).toBeCloseTo(3 * ec2['c7g.xlarge'] * hours);
    expect(gateway?.reservedUsd).toBeCloseTo(3 * reserved.ec2['c7g.xlarge'] * hours);
    expect(gateway?.spotUsd).toBeCloseTo((3 * hours * (spot['c7g.xlarge'] + spot['c6g.xlarge'])) / 2);
    expect(estimate.totals.spot).toBeLessThan(estimate.totals.reserved);
  });

  test('a missing Spot rate is reported and left out of that total, never counted as zero', () => {
    const estimate = estimateCost(synthFixture({ gatewaySpotTypes: ['c7g.xlarge', 'c6gn.xlarge'] }), prices);
    expect(estimate.missingRates).toEqual([
      expect.objectContaining({ nodeRole: 'gateway', missingRates: ['spot.hourly.ec2.c6gn.xlarge'] }),
    ]);
    const gateway = estimate.missingRates[0];
    expect(gateway.spotUsd).toBeUndefined();
    expect(estimate.totals.onDemand - estimate.totals.spot).toBeGreaterThan(gateway.monthlyUsd ?? 0);
    const report = renderCostReport('prod', estimate, prices, 'markdown');
    expect(report).toContain('**Missing Reserved or Spot rates (1); those totals leave the lines out:**');
    expect(report).toContain('| spot.hourly.ec2.c6gn.xlarge |');
  });

  test('a node group is priced at the nodes its pods take when they need more than the desired size', () => {
    // 20 pods of 500m / 768Mi: seven fit a c7i.xlarge (4 vCPU / 8 GB), so 3 nodes, not the desired 2.
    const demand = { workload: 'api', pods: 20, cpuMillis: 500, memoryMiB: 768 };
    const estimate = estimateCost(synthFixture({ gatewayNodes: 2 }), prices, { podDemand: { gateway: demand } });
    const gateway = estimate.lines.find((l) => l.nodeRole === 'gateway' && l.category === 'compute');
    expect(gateway?.description).toBe('3 x c7i.xlarge (20 api pods, 7 a node)');
    expect(gateway?.monthlyUsd).toBeCloseTo(3 * ec2['c7i.xlarge'] * hours);
  });
});

describe('renderCostReport', () => {
  const estimate = estimateCost(synthFixture(), prices, { dataTransferUsd: 200 });

  test("sets each line of the design's table beside its part of the estimate, then the three totals", () => {
    const text = renderCostReport('prod', estimate, prices, 'text');
    expect(text).toMatch(/EKS\s+\$73\s+\$73\s+\$0\s+\$73\s+\$73\s+within the design/);
    // The fixture's one node group carries the gateway role: 3 x c7i.xlarge and their disks.
    const gateway = 3 * ec2['c7i.xlarge'] * hours + 150 * prices.perGbMonth.ebs.gp3;
    expect(text).toMatch(new RegExp(`EC2 WebSocket x10\\s+\\$1,200\\s+\\$${Math.round(gateway)}\\s`));
    expect(text).toMatch(/EC2 API\s+\$800\s+\$0\s+-\$800\s+\$0\s+\$0\s+nothing in the templates/);
    expect(text).toMatch(/Data transfer\s+\$200\s+\$200\s+\$0/);
    expect(text).toMatch(/NAT gateways\s+-\s+\$86\s+\$86\s+\$86\s+not in the design's table/);
    expect(text).toMatch(/design document\s+\$3,800\s+\$2,700\s+\$1,900/);
    expect(text).toContain(`as of ${prices.pricedOn}`);
  });

  test('a line more than 15% over the design says so', () => {
    const big = estimateCost(synthFixture({ gatewayNodes: 9, gatewayInstanceType: 'c7i.2xlarge' }), prices);
    expect(renderCostReport('prod', big, prices, 'text')).toMatch(
      /EC2 WebSocket x10\s+\$1,200\s+\$2,6\d\d .*\d+% over the design's figure \(more than 15%\)/,
    );
  });

  test('--format json carries the three totals beside the design', () => {
    const json = JSON.parse(renderCostReport('prod', estimate, prices, 'json'));
    expect(json.totals).toEqual({
      onDemand: Math.round(estimate.totals.onDemand * 100) / 100,
      reserved: Math.round(estimate.totals.reserved * 100) / 100,
      spot: Math.round(estimate.totals.spot * 100) / 100,
    });
    expect(json.design).toEqual({ onDemand: 3800, reserved: 2700, spot: 1900 });
  });

  test("lists the profile's always-on extras with their monthly cost and reason", () => {
    const text = renderCostReport('prod', estimate, prices, 'markdown', {
      natGateways: 1,
      zones: 3,
      interfaceEndpoints: [{ name: 'Sts', reason: 'pods keep credentials' }, { name: 'Kms' }],
    });
    const endpoint = usd(prices.hourly.interfaceEndpointPerAz * 3 * hours);
    expect(text).toContain(`| Sts interface endpoint x 3 zones | yes | ${endpoint} | pods keep credentials |`);
    expect(text).toContain(
      `| Kms interface endpoint x 3 zones | no | ${endpoint} | not created: reached through the NAT gateway |`,
    );
    expect(text).toContain(`| NAT gateways x 1 | yes | ${usd(prices.hourly.natGateway * hours)} |`);
  });
});

describe('the shipped prod profile', () => {
  test('prices the api tier at the 20 pods of the target column, and counts the design data transfer', () => {
    const options = estimateOptions(loadProfile('prod'));
    expect(options.podDemand?.api).toEqual({ workload: 'api', pods: 20, cpuMillis: 500, memoryMiB: 768 });
    expect(options.dataTransferUsd).toBe(200);
    expect(estimateOptions(loadProfile('staging')).dataTransferUsd).toBeUndefined();
    expect(extraChoices(loadProfile('prod')).interfaceEndpoints).toHaveLength(INTERFACE_ENDPOINT_NAMES.length);
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

  const offer = (usd: string, unit = 'Hrs') => ({
    priceDimensions: { Y: { beginRange: '0', unit, pricePerUnit: { USD: usd } } },
  });
  const product = (usd: string, reserved?: string) =>
    JSON.stringify({
      terms: {
        OnDemand: { X: offer(usd) },
        Reserved: reserved
          ? {
              // A 3-year and an upfront offer the refresh must pass over, then the 1-year no-upfront one.
              A: {
                termAttributes: { LeaseContractLength: '3yr', PurchaseOption: 'No Upfront', OfferingClass: 'standard' },
                ...offer('0.05'),
              },
              B: {
                termAttributes: {
                  LeaseContractLength: '1yr',
                  PurchaseOption: 'All Upfront',
                  OfferingClass: 'standard',
                },
                ...offer('900', 'Quantity'),
              },
              C: {
                termAttributes: { LeaseContractLength: '1yr', PurchaseOption: 'No Upfront', OfferingClass: 'standard' },
                ...offer(reserved),
              },
            }
          : undefined,
      },
    });

  test('updates what the Price List API prices, adds missing types, keeps the rest, and dates the table', async () => {
    // A fake Price List: prices for two EC2 types and the EKS control plane, nothing else.
    pricing
      .on(GetProductsCommand)
      .callsFake((input: { ServiceCode: string; Filters: { Field: string; Value: string }[] }) => {
        const type = input.Filters.find((f) => f.Field === 'instanceType')?.Value;
        if (input.ServiceCode === 'AmazonEC2' && type === 'c7i.xlarge')
          return { PriceList: [product('0.2222', '0.1444')] };
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
    expect(table.reserved.hourly.ec2['c7i.xlarge']).toBe(0.1444);
    // No Reserved offer in the fake Price List for c8i.xlarge: it stays missing, reported, not zero.
    expect(table.reserved.hourly.ec2['c8i.xlarge']).toBeUndefined();
    expect(kept).toContain('reserved.hourly.ec2.c8i.xlarge (no price found: stays unpriced)');
    expect(table.reserved.hourly.ec2['m7i.large']).toBe(prices.reserved.hourly.ec2['m7i.large']);
    expect(table.reserved.pricedOn).toBe('2030-01-02');
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
