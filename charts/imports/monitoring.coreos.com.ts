import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

/**
 * The Prometheus operator kinds the charts emit (monitoring.coreos.com/v1) as cdk8s API objects.
 *
 * The spec types come from `@kubernetes-models/prometheus-operator`, which is generated from the
 * operator's CRDs; the same package validates the rendered objects in the tests. Only the types
 * are imported (erased at compile time), so synthesis needs nothing at run time but cdk8s.
 */

const API_VERSION = 'monitoring.coreos.com/v1';

/** Props of a monitoring.coreos.com/v1 object: its metadata and its kind's spec. */
export interface MonitoringObjectProps<Spec> {
  /** Object metadata. @default - name generated from the construct path */
  readonly metadata?: ApiObjectMetadata;
  readonly spec: Spec;
}

/** Props for {@link ServiceMonitor}: which Services to scrape and how. */
export type ServiceMonitorProps = MonitoringObjectProps<IServiceMonitor['spec']>;

/** monitoring.coreos.com/v1 ServiceMonitor: scrape the endpoints behind selected Services. */
export class ServiceMonitor extends ApiObject {
  static readonly GVK = { apiVersion: API_VERSION, kind: 'ServiceMonitor' } as const;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id, { ...ServiceMonitor.GVK, ...props });
  }
}

/** Props for {@link PrometheusRule}: alerting and recording rule groups. */
export type PrometheusRuleProps = MonitoringObjectProps<IPrometheusRule['spec']>;

/** monitoring.coreos.com/v1 PrometheusRule: alerting and recording rules. */
export class PrometheusRule extends ApiObject {
  static readonly GVK = { apiVersion: API_VERSION, kind: 'PrometheusRule' } as const;

  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id, { ...PrometheusRule.GVK, ...props });
  }
}
