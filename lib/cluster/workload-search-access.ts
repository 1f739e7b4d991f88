import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MESSAGE_SEARCH_INDEX } from '../contract';
import { SearchSecurity } from '../shared/search-security';

/** The fine-grained access control roles of the apps in the search domain. */
export const APP_SEARCH_ROLES = { api: 'co_talk_api', worker: 'co_talk_worker' } as const;

/** Props for {@link WorkloadSearchAccess}. */
export interface WorkloadSearchAccessProps {
  /** The search domain. */
  readonly domain: opensearch.IDomain;
  /** Its fine-grained access control master user: read by the setup function only, at deploy time. */
  readonly masterUserSecret: secretsmanager.ISecret;
  /** The VPC the domain is reachable in. */
  readonly vpc: ec2.IVpc;
  /** A group the domain accepts HTTPS from (the workload group). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The API's Pod Identity role: searches the message index. */
  readonly api: iam.IRole;
  /** The worker's Pod Identity role: creates and writes the message index. */
  readonly worker: iam.IRole;
  /** Days the setup function's logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * What the API and the worker may do in the search domain, twice over: their IAM policies allow
 * only the HTTP verbs and paths each one calls, and the domain's fine-grained access control maps
 * each IAM role to a security role allowed only the OpenSearch actions behind those calls, on the
 * message index alone. The apps sign with SigV4 as their roles; neither holds a password.
 */
export class WorkloadSearchAccess extends Construct {
  /** The roles and mappings in the domain; the workloads need them in place. */
  public readonly security: SearchSecurity;

  constructor(scope: Construct, id: string, props: WorkloadSearchAccessProps) {
    super(scope, id);
    const { domain } = props;
    const path = (p: string) => `${domain.domainArn}/${p}`;
    // The worker: HEAD and PUT /<index> (does it exist, create it with its mapping), POST /_bulk.
    props.worker.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['es:ESHttpHead', 'es:ESHttpPut'], resources: [path(MESSAGE_SEARCH_INDEX)] }),
    );
    props.worker.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['es:ESHttpPost'], resources: [path('_bulk')] }),
    );
    // The API: POST /<index>/_search (the client posts a search with a body).
    props.api.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['es:ESHttpPost'], resources: [path(`${MESSAGE_SEARCH_INDEX}/_search`)] }),
    );

    this.security = new SearchSecurity(this, 'Roles', {
      domain,
      masterUserSecret: props.masterUserSecret,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      name: 'co-talk-apps',
      resourceType: 'Custom::CoTalkSearchAppRoles',
      description: 'Co-Talk: OpenSearch roles of the api and the worker, mapped to their IAM roles',
      roles: [
        {
          name: APP_SEARCH_ROLES.worker,
          // A bulk request is authorized at the cluster level first, then per index.
          clusterPermissions: ['indices:data/write/bulk'],
          indexPermissions: [
            {
              indexPatterns: [MESSAGE_SEARCH_INDEX],
              // indices:admin/get answers HEAD /<index>; create_index creates it with its mapping;
              // index writes documents (bulk shard requests included), no delete, no read.
              allowedActions: ['indices:admin/get', 'create_index', 'index'],
            },
          ],
          mappedRoles: [props.worker],
        },
        {
          name: APP_SEARCH_ROLES.api,
          clusterPermissions: [],
          indexPermissions: [{ indexPatterns: [MESSAGE_SEARCH_INDEX], allowedActions: ['search'] }],
          mappedRoles: [props.api],
        },
      ],
      logRetention: props.logRetention,
    });
  }
}
