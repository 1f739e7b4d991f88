import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PodIdentityRole } from '../cluster/pod-identity-role';
import { acknowledgeResourceWildcards } from '../shared/acknowledge-resource-wildcards';
import { SearchSecurity } from '../shared/search-security';
import { NODE_AGENTS_NAMESPACE } from '../contract';
import { FLUENT_BIT_CHART } from './versions';

/** Daily log indices are named `<prefix>-YYYY.MM.DD`; retention deletes whole days. */
export const LOG_INDEX_PREFIX = 'co-talk-logs';
/** The fine-grained access control role Fluent Bit's IAM role is mapped to. */
export const LOG_WRITER_ROLE = 'co_talk_logs_writer';

/** The ISM policy deleting log indices `retentionDays` after creation, attached to new ones by its template. */
function logRetentionPolicy(retentionDays: number): Record<string, unknown> {
  const pattern = `${LOG_INDEX_PREFIX}-*`;
  return {
    description: `Delete ${pattern} indices ${retentionDays} days after creation`,
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: [pattern], priority: 100 }],
  };
}

/** Props for {@link LogShipping}. */
export interface LogShippingProps {
  /** The cluster whose nodes' container logs are shipped. */
  readonly cluster: eks.ICluster;
  /** The OpenSearch domain the logs go to. */
  readonly domain: opensearch.IDomain;
  /** The domain's fine-grained access control master user, to set up retention and the writer role (deploy time only). */
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
      namespace: NODE_AGENTS_NAMESPACE,
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
    // Fluent Bit signs with its own role (`AWS_Auth`); the master user only sets this up.
    const setup = new SearchSecurity(this, 'SearchSetup', {
      domain: props.domain,
      masterUserSecret: props.masterUserSecret,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      name: LOG_INDEX_PREFIX,
      resourceType: 'Custom::CoTalkSearchLogSetup',
      description: 'Co-Talk: OpenSearch log retention policy and log writer role',
      roles: [
        {
          name: LOG_WRITER_ROLE,
          clusterPermissions: ['cluster_monitor', 'indices:data/write/bulk'],
          indexPermissions: [
            {
              indexPatterns: [`${LOG_INDEX_PREFIX}-*`],
              allowedActions: ['create_index', 'indices:admin/mapping/put', 'write'],
            },
          ],
          mappedRoles: [identity.role],
        },
      ],
      ismPolicies: [{ id: `${LOG_INDEX_PREFIX}-retention`, policy: logRetentionPolicy(props.retentionDays) }],
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

    // Its own namespace at Pod Security "privileged": it reads the node's logs through hostPath.
    // (A new construct id, so moving namespaces installs the new release before removing the old.)
    this.chart = new eks.HelmChart(this, 'AgentChart', {
      cluster: props.cluster,
      ...FLUENT_BIT_CHART,
      release: 'fluent-bit',
      namespace: NODE_AGENTS_NAMESPACE,
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
