/**
 * vCPUs and memory of the EC2 instance types a gateway node group may use, for the capacity model.
 *
 * The general-purpose, compute- and memory-optimised families follow one rule (Amazon EC2 instance
 * types, https://docs.aws.amazon.com/ec2/latest/instancetypes/): `large` has 2 vCPUs and each size
 * step doubles them (`xlarge` 4, `2xlarge` 8, ... `Nxlarge` 4N); memory is 2 GiB per vCPU for `c`,
 * 4 for `m` and 8 for `r`. The burstable `t` types do not follow it and are listed one by one.
 */

/** The shape of one instance type. */
export interface InstanceShape {
  /** Virtual CPUs. */
  readonly vcpu: number;
  /** Memory, GiB. */
  readonly memoryGiB: number;
}

const GIB_PER_VCPU: Readonly<Record<string, number>> = { c: 2, m: 4, r: 8 };

/** Burstable sizes (t3 and t4g share them): https://aws.amazon.com/ec2/instance-types/t3/ */
const BURSTABLE: Readonly<Record<string, InstanceShape>> = {
  micro: { vcpu: 2, memoryGiB: 1 },
  small: { vcpu: 2, memoryGiB: 2 },
  medium: { vcpu: 2, memoryGiB: 4 },
  large: { vcpu: 2, memoryGiB: 8 },
  xlarge: { vcpu: 4, memoryGiB: 16 },
  '2xlarge': { vcpu: 8, memoryGiB: 32 },
};

/**
 * The shape of `instanceType` (for example `c7g.xlarge`: 4 vCPUs, 8 GiB), or an error naming the
 * type and the families the model knows.
 */
export function instanceShape(instanceType: string): InstanceShape {
  const match = /^([cmrt])(\d+)([a-z-]*)\.(medium|large|xlarge|(\d+)xlarge|micro|small)$/.exec(instanceType);
  if (match) {
    const [, family, , , size, multiple] = match;
    if (family === 't') {
      const shape = BURSTABLE[size];
      if (shape) return shape;
    } else if (size !== 'micro' && size !== 'small') {
      const vcpu = size === 'medium' ? 1 : size === 'large' ? 2 : size === 'xlarge' ? 4 : 4 * Number(multiple);
      return { vcpu, memoryGiB: vcpu * GIB_PER_VCPU[family] };
    }
  }
  throw new Error(
    `instance type "${instanceType}" is unknown to the capacity model: use a c, m, r or t family type ` +
      '(such as c7g.xlarge, m7i.4xlarge) or add its shape to lib/capacity/instance-types.ts',
  );
}
