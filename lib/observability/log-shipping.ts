import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PodIdentityRole } from '../cluster/pod-identity-role';
import { acknowledgeResourceWildcards } from '../shared/acknowledge-resource-wildcards';
import { OBSERVABILITY_NAMESPACE } from '../contract';
import { SearchLogSetup } from './search-log-setup';
import { FLUENT_BIT_CHART } from './versions';

/** Daily log indices are named `<prefix>-YYYY.MM.DD`; retention deletes whole days. */
export const LOG_INDEX_PREFIX = 'co-talk-logs';

/** Props for {@link LogShipping}. */
export interface LogShippingProps {
  /** The cluster whose nodes' container logs are shipped. */
  readonly cluster: eks.ICluster;
  /** The OpenSearch domain the logs go to. */
  readonly domain: opensearch.IDomain;
  /** The domain's fine-grained access control master user, to set up retention and the writer role. */
  readonly masterUserSecret: secretsmanager.ISecret;
  /** The VPC the domain is reachable in. */
  readonly vpc: ec2.IVpc;
  /** A group the domain accepts HTTPS from. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Days a day's log index is kept. */
  readonly retentionDays: number;
  /** Days the setup function's own logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Fluent Bit on every node, shipping container logs (with Kubernetes metadata) to OpenSearch in
 * daily indices, signing requests with its own Pod Identity role. At deploy time the domain gets
 * an ISM policy deleting indices after the retention, and a role that lets that IAM role write
 * the log indices and nothing else.
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
    acknowledgeResourceWildcards(
      identity.role,
      props.domain.domainArn,
      [`/${LOG_INDEX_PREFIX}-*`, `/${LOG_INDEX_PREFIX}-*/*`],
      'Writes to the daily log indices only (one index per day, hence the wildcard)',
    );
    const setup = new SearchLogSetup(this, 'SearchSetup', {
      domain: props.domain,
      masterUserSecret: props.masterUserSecret,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      indexPrefix: LOG_INDEX_PREFIX,
      retentionDays: props.retentionDays,
      writerRole: identity.role,
      logRetention: props.logRetention,
    });

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
    this.chart.node.addDependency(identity, setup);
  }
}
