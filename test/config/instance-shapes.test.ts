import { instanceShape, nodeAllocatable, podsPerNode } from '../../lib/config/instance-shapes';
import { loadPriceTable } from '../../tools/cost/price-table';

describe('instanceShape', () => {
  test.each([
    ['c7g.xlarge', 4, 8],
    ['m7g.large', 2, 8],
    ['r7g.2xlarge', 8, 64],
    ['c6gn.4xlarge', 16, 32],
    ['c7i.4xlarge', 16, 32],
    ['db.m7g.8xlarge', 32, 128],
    ['db.t4g.medium', 2, 4],
    ['cache.t4g.small', 2, 2],
    ['r7g.large.search', 2, 16],
    ['m7g.medium', 1, 4],
  ])('%s is %i vCPU / %i GiB', (type, vcpu, memoryGiB) => {
    expect(instanceShape(type)).toEqual({ vcpu, memoryGiB });
  });

  test('a family outside the rule is unknown, not guessed', () => {
    expect(instanceShape('x2gd.large')).toBeUndefined();
    expect(instanceShape('c7g.metal')).toBeUndefined();
  });

  test('every instance type of the price table has a shape', () => {
    const prices = loadPriceTable('ap-northeast-2');
    const types = [
      ...Object.keys(prices.hourly.ec2),
      ...Object.values(prices.hourly.rds).flatMap((t) => Object.keys(t)),
      ...Object.keys(prices.hourly.elasticache),
      ...Object.keys(prices.hourly.opensearch),
    ];
    expect(types.filter((t) => instanceShape(t) === undefined)).toEqual([]);
  });
});

describe('podsPerNode', () => {
  test('a 4 vCPU / 8 GB node holds seven 500m / 768Mi pods after the kubelet and daemon sets', () => {
    const shape = { vcpu: 4, memoryGiB: 8 };
    expect(nodeAllocatable(shape)).toEqual({ cpuMillis: 3620, memoryMiB: 6599 });
    expect(podsPerNode(shape, 500, 768)).toBe(7);
    expect(podsPerNode(shape, 4000, 768)).toBe(0);
  });
});
