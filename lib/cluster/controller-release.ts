import type { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';

/** Props for {@link controllerRelease}. */
export interface ControllerReleaseProps {
  /** The cluster to install the controller on. */
  readonly cluster: eks.Cluster;
  /** The service account the release creates in `kube-system`; the role is bound to it. */
  readonly serviceAccountName: string;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
  /** The role's rights. */
  readonly statements: readonly iam.PolicyStatement[];
  /** Chart name, repository and version (from `versions.ts`). */
  readonly chart: Pick<eks.HelmChartOptions, 'chart' | 'repository' | 'version'>;
  /** How long the release may take to become ready. */
  readonly timeout: Duration;
  /** The chart's values. */
  readonly values: Record<string, unknown>;
}

/**
 * A cluster controller in `kube-system`: its Pod Identity role (`Identity`) and its Helm release
 * (`Chart`, named for the service account), installed once the role's association exists so the
 * controller never starts without credentials.
 */
export function controllerRelease(
  scope: Construct,
  props: ControllerReleaseProps,
): { readonly identity: PodIdentityRole; readonly chart: eks.HelmChart } {
  const identity = new PodIdentityRole(scope, 'Identity', {
    cluster: props.cluster,
    namespace: 'kube-system',
    serviceAccountName: props.serviceAccountName,
    description: props.description,
  });
  for (const statement of props.statements) identity.role.addToPolicy(statement);
  const chart = new eks.HelmChart(scope, 'Chart', {
    cluster: props.cluster,
    ...props.chart,
    release: props.serviceAccountName,
    namespace: 'kube-system',
    wait: true,
    timeout: props.timeout,
    values: props.values,
  });
  chart.node.addDependency(identity);
  return { identity, chart };
}
