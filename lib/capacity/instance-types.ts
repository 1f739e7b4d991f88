import { instanceShape as shapeOf, type InstanceShape } from '../config/instance-shapes';

export type { InstanceShape };

/**
 * The shape of a gateway node's `instanceType` (for example `c7g.xlarge`: 4 vCPUs, 8 GiB), from
 * the one naming rule in `lib/config/instance-shapes.ts`, or an error naming the type and the
 * families the capacity model knows: it cannot judge a server it cannot size.
 */
export function instanceShape(instanceType: string): InstanceShape {
  const shape = shapeOf(instanceType);
  if (shape) return shape;
  throw new Error(
    `instance type "${instanceType}" is unknown to the capacity model: use a c, m, r or t family type ` +
      '(such as c7g.xlarge, m7i.4xlarge) or add its rule to lib/config/instance-shapes.ts',
  );
}
