import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { grantSecretRead } from './grant-secret-read';
import { repositoryPath } from './repository-path';

/** Permissions on the indices matching `indexPatterns` (OpenSearch action groups or actions). */
export interface SearchIndexPermission {
  readonly indexPatterns: readonly string[];
  readonly allowedActions: readonly string[];
}

/** A fine-grained access control role and the IAM roles mapped to it. */
export interface SearchRole {
  /** The security role's name in the domain. */
  readonly name: string;
  /** Cluster-wide actions (e.g. `indices:data/write/bulk`, which OpenSearch checks at the cluster level). */
  readonly clusterPermissions: readonly string[];
  readonly indexPermissions: readonly SearchIndexPermission[];
  /** The IAM roles whose SigV4-signed requests get this role (its backend roles). */
  readonly mappedRoles: readonly iam.IRole[];
}

/** An index state management policy: `policy` is the body's `policy` object. */
export interface SearchIsmPolicy {
  readonly id: string;
  readonly policy: Record<string, unknown>;
}

/** Props for {@link SearchSecurity}. */
export interface SearchSecurityProps {
  /** The domain to set up. */
  readonly domain: opensearch.IDomain;
  /** The fine-grained access control master user (JSON with `username` and `password`). */
  readonly masterUserSecret: secretsmanager.ISecret;
  /** The VPC the domain is reachable in. */
  readonly vpc: ec2.IVpc;
  /** A group the domain accepts HTTPS from (the workload group). */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * Names what this resource sets up, in its physical id. Keep it stable: a new name replaces the
   * resource, and deleting the old one removes its roles, the same names included.
   */
  readonly name: string;
  /** The custom resource's type (`Custom::...`); CloudFormation cannot change it in place. */
  readonly resourceType: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  readonly roles: readonly SearchRole[];
  /** @default - none */
  readonly ismPolicies?: readonly SearchIsmPolicy[];
  /** Days the function's own logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Puts fine-grained access control roles, their mappings to IAM roles and ISM policies on an
 * OpenSearch domain at deploy time, as the master user: its function is the only reader of the
 * master user secret besides an operator's break-glass. See `search-security/index.js`.
 */
export class SearchSecurity extends Construct {
  /** The custom resource; what needs the roles in place depends on it. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SearchSecurityProps) {
    super(scope, id);
    const handler = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(repositoryPath('lib', 'shared', 'search-security')),
      description: props.description,
      timeout: Duration.minutes(2),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention: props.logRetention }),
    });
    grantSecretRead(props.masterUserSecret, handler);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention }),
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: props.resourceType,
      properties: {
        Endpoint: props.domain.domainEndpoint,
        MasterUserSecretArn: props.masterUserSecret.secretArn,
        Name: props.name,
        // The names the domain's security API uses.
        Roles: props.roles.map((role) => ({
          name: role.name,
          cluster_permissions: role.clusterPermissions,
          index_permissions: role.indexPermissions.map((p) => ({
            index_patterns: p.indexPatterns,
            allowed_actions: p.allowedActions,
          })),
          backend_roles: role.mappedRoles.map((r) => r.roleArn),
        })),
        IsmPolicies: props.ismPolicies ?? [],
      },
    });
    this.acknowledgeFindings(handler, provider);
  }

  private acknowledgeFindings(handler: lambda.Function, provider: cr.Provider): void {
    const stack = Stack.of(this);
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    Validations.of(handler).acknowledge(
      {
        id: managed('service-role/AWSLambdaBasicExecutionRole'),
        reason: 'The standard policy for a Lambda function to write its own logs',
      },
      {
        id: managed('service-role/AWSLambdaVPCAccessExecutionRole'),
        reason: 'The standard policy for a Lambda function to attach to the VPC (the domain is VPC-only)',
      },
    );
    const handlerArn = stack.getLogicalId(handler.node.defaultChild as lambda.CfnFunction);
    Validations.of(provider).acknowledge(
      {
        id: managed('service-role/AWSLambdaBasicExecutionRole'),
        reason: 'The provider framework function writes its own logs',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${handlerArn}.Arn>:*]`,
        reason: 'The provider framework may invoke any version of the setup function, nothing else',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The provider framework runtime is chosen by aws-cdk-lib',
      },
    );
  }
}
