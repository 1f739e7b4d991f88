import type { Construct } from 'constructs';
import { TargetGroupBinding } from './imports/elbv2.k8s.aws';

/**
 * Registers the pods behind a Service with a target group the edge stack owns (target type `ip`):
 * the load balancer controller keeps the group's targets in step with the Service's endpoints.
 * The binding is named after the Service.
 */
export function bindTargetGroup(
  scope: Construct,
  id: string,
  binding: { readonly targetGroupArn: string; readonly service: string; readonly port: number },
): TargetGroupBinding {
  return new TargetGroupBinding(scope, id, {
    metadata: { name: binding.service },
    spec: {
      targetGroupARN: binding.targetGroupArn,
      targetType: 'ip',
      serviceRef: { name: binding.service, port: binding.port },
    },
  });
}
