import { requirePinnedImage } from '../../charts/image';
import { cpuMillis, memoryMebibytes } from '../../charts/quantity';

describe('requirePinnedImage', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  test.each([
    [`repo/app@${digest}`, 'digest-or-asset-hash'],
    [`repo/app:1.0.0@${digest}`, 'digest-or-exact-version'],
    [`123.dkr.ecr.example/repo:${'f'.repeat(64)}`, 'digest-or-asset-hash'],
    ['kong:3.9.1', 'digest-or-exact-version'],
  ] as const)('accepts %s (%s)', (image, pinning) => {
    expect(requirePinnedImage('x image', image, pinning)).toBe(image);
  });

  test.each([
    ['repo/app:latest', 'digest-or-asset-hash'],
    ['repo/app', 'digest-or-asset-hash'],
    ['kong:3.9.1', 'digest-or-asset-hash'],
    ['kong:3', 'digest-or-exact-version'],
    ['registry:5000/kong', 'digest-or-exact-version'],
    [`repo/app@sha256:${'a'.repeat(63)}`, 'digest-or-asset-hash'],
  ] as const)('refuses %s (%s) naming the field', (image, pinning) => {
    expect(() => requirePinnedImage('x image', image, pinning)).toThrow(`x image "${image}" is not pinned`);
  });
});

describe('quantities', () => {
  test.each([
    ['500m', 500],
    ['2', 2000],
    ['0.5', 500],
  ])('CPU %s is %d millicores', (q, millis) => expect(cpuMillis(q)).toBe(millis));

  test.each([
    ['512Mi', 512],
    ['4Gi', 4096],
  ])('memory %s is %d MiB', (q, mib) => expect(memoryMebibytes(q)).toBe(mib));

  test('a malformed quantity names itself and the accepted forms', () => {
    expect(() => cpuMillis('2 cores')).toThrow('CPU quantity "2 cores" is not valid: use millicores (500m) or cores');
    expect(() => memoryMebibytes('4G')).toThrow('memory quantity "4G" is not valid: use Mi or Gi');
  });
});
