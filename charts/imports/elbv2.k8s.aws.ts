import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * AWS Load Balancer Controller's TargetGroupBinding (elbv2.k8s.aws/v1beta1), hand-written.
 *
 * The controller's CRD is published only with its Helm chart and GitHub releases, neither of
 * which is reachable from an offline synth, and no npm package carries it; so, as a last resort,
 * this file types the subset of the v1beta1 spec the charts use, following the controller's
 * reference (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/spec/).
 * The tests pin every rendered field.
 */

/** How the target group registers pods. */
export type TargetType = 'ip' | 'instance';

/** The Service port whose endpoints are registered. */
export interface ServiceReference {
  /** Name of the Service in the binding's namespace. */
  readonly name: string;
  /** The Service port (number or name). */
  readonly port: number | string;
}

/** spec of a TargetGroupBinding. */
export interface TargetGroupBindingSpec {
  /** ARN of the existing target group (created by the CDK side). */
  readonly targetGroupARN: string;
  /** `ip` registers pod IPs; must match the target group's target type. */
  readonly targetType: TargetType;
  /** The Service whose endpoints become targets. */
  readonly serviceRef: ServiceReference;
  /** IP address type of the target group. @default ipv4 */
  readonly ipAddressType?: 'ipv4' | 'ipv6';
}

/** Props for {@link TargetGroupBinding}. */
export interface TargetGroupBindingProps {
  /** Object metadata. @default - name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** The binding. */
  readonly spec: TargetGroupBindingSpec;
}

/** elbv2.k8s.aws/v1beta1 TargetGroupBinding: keeps a target group's targets in step with a Service. */
export class TargetGroupBinding extends ApiObject {
  static readonly GVK = { apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding' } as const;

  constructor(scope: Construct, id: string, props: TargetGroupBindingProps) {
    super(scope, id, { ...TargetGroupBinding.GVK, ...props });
  }
}
