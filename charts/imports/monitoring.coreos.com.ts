import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

/**
 * Prometheus operator kinds (monitoring.coreos.com/v1) as cdk8s API objects.
 *
 * The spec types come from `@kubernetes-models/prometheus-operator`, which is generated from the
 * operator's CRDs; the same package validates the rendered objects in the tests. Only the types
 * are imported (erased at compile time), so synthesis needs nothing at run time but cdk8s.
 */

const API_VERSION = 'monitoring.coreos.com/v1';

/** Props for {@link ServiceMonitor}. */
export interface ServiceMonitorProps {
  /** Object metadata. @default - name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** Which Services to scrape and how. */
  readonly spec: IServiceMonitor['spec'];
}

/** monitoring.coreos.com/v1 ServiceMonitor: scrape the endpoints behind selected Services. */
export class ServiceMonitor extends ApiObject {
  static readonly GVK = { apiVersion: API_VERSION, kind: 'ServiceMonitor' } as const;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id, { ...ServiceMonitor.GVK, ...props });
  }
}

/** Props for {@link PodMonitor}. */
export interface PodMonitorProps {
  /** Object metadata. @default - name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** Which pods to scrape and how. */
  readonly spec: IPodMonitor['spec'];
}

/** monitoring.coreos.com/v1 PodMonitor: scrape selected pods directly (no Service needed). */
export class PodMonitor extends ApiObject {
  static readonly GVK = { apiVersion: API_VERSION, kind: 'PodMonitor' } as const;

  constructor(scope: Construct, id: string, props: PodMonitorProps) {
    super(scope, id, { ...PodMonitor.GVK, ...props });
  }
}

/** Props for {@link PrometheusRule}. */
export interface PrometheusRuleProps {
  /** Object metadata. @default - name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** Alerting and recording rule groups. */
  readonly spec: IPrometheusRule['spec'];
}

/** monitoring.coreos.com/v1 PrometheusRule: alerting and recording rules. */
export class PrometheusRule extends ApiObject {
  static readonly GVK = { apiVersion: API_VERSION, kind: 'PrometheusRule' } as const;

  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id, { ...PrometheusRule.GVK, ...props });
  }
}
