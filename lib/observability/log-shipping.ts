import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { PodIdentityRole } from '../cluster/pod-identity-role';
import { OBSERVABILITY_NAMESPACE } from './observability-namespace';
import { FLUENT_BIT_CHART } from './versions';

/** Daily log indices are named `<prefix>-YYYY.MM.DD`; retention deletes whole days. */
export const LOG_INDEX_PREFIX = 'co-talk-logs';

/** Props for {@link LogShipping}. */
export interface LogShippingProps {
  /** The cluster whose nodes' container logs are shipped. */
  readonly cluster: eks.ICluster;
  /** The OpenSearch domain the logs go to. */
  readonly domain: opensearch.IDomain;
}

/**
 * Fluent Bit on every node, shipping container logs (with Kubernetes metadata) to OpenSearch,
 * signing requests with its own Pod Identity role that may only write to the domain.
 */
export class LogShipping extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: LogShippingProps) {
    super(scope, id);
    const serviceAccountName = 'fluent-bit';
    const identity = new PodIdentityRole(this, 'Identity', {
      cluster: props.cluster,
      namespace: OBSERVABILITY_NAMESPACE,
      serviceAccountName,
      description: 'Fluent Bit: writes container logs to the Co-Talk OpenSearch domain',
    });
    props.domain.grantIndexWrite(`${LOG_INDEX_PREFIX}-*`, identity.role);
    props.domain.grantPathWrite('_bulk', identity.role);

    const output = [
      '[OUTPUT]',
      '    Name               opensearch',
      '    Match              kube.*',
      `    Host               ${props.domain.domainEndpoint}`,
      '    Port               443',
      '    tls                On',
      '    AWS_Auth           On',
      `    AWS_Region         ${Stack.of(this).region}`,
      '    Logstash_Format    On',
      `    Logstash_Prefix    ${LOG_INDEX_PREFIX}`,
      '    Suppress_Type_Name On',
      '    Replace_Dots       On',
      '    Trace_Error        On',
      // Keep shipping through a short outage of the domain instead of dropping logs.
      '    Retry_Limit        10',
    ].join('\n');

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      ...FLUENT_BIT_CHART,
      release: 'fluent-bit',
      namespace: OBSERVABILITY_NAMESPACE,
      createNamespace: false,
      wait: true,
      timeout: Duration.minutes(10),
      values: {
        serviceAccount: { create: true, name: serviceAccountName },
        // Every node, the tainted gateway and api nodes included.
        tolerations: [{ operator: 'Exists' }],
        config: { outputs: output },
      },
    });
    this.chart.node.addDependency(identity);
  }
}
