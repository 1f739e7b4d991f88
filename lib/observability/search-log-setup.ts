import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { grantSecretRead } from '../shared/grant-secret-read';

/**
 * The handler's folder, found from the repository root: synth runs this file both from `lib/`
 * (tests) and from the esbuild bundle in `build/` (`cdk synth`), so `__dirname` differs.
 */
function handlerDirectory(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`SearchLogSetup: no package.json above ${__dirname}`);
    dir = parent;
  }
  return path.join(dir, 'lib', 'observability', 'search-log-setup');
}

/** Props for {@link SearchLogSetup}. */
export interface SearchLogSetupProps {
  /** The domain the logs go to. */
  readonly domain: opensearch.IDomain;
  /** The fine-grained access control master user (JSON with `username` and `password`). */
  readonly masterUserSecret: secretsmanager.ISecret;
  /** The VPC the domain is reachable in. */
  readonly vpc: ec2.IVpc;
  /** A group the domain accepts HTTPS from (the workload group). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Log indices are `<indexPrefix>-YYYY.MM.DD`. */
  readonly indexPrefix: string;
  /** Days a log index is kept. */
  readonly retentionDays: number;
  /** The log shipper's IAM role, mapped to a role that may write the log indices only. */
  readonly writerRole: iam.IRole;
  /** Days the setup function's own logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Prepares the OpenSearch domain for the log shipper at deploy time: an ISM policy that deletes
 * log indices after the retention, and a fine-grained access control role that lets the
 * shipper's IAM role write those indices and nothing else. See `search-log-setup/index.js`.
 */
export class SearchLogSetup extends Construct {
  constructor(scope: Construct, id: string, props: SearchLogSetupProps) {
    super(scope, id);
    const handler = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerDirectory()),
      description: 'Co-Talk: OpenSearch log retention policy and log writer role',
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
    new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CoTalkSearchLogSetup',
      properties: {
        Endpoint: props.domain.domainEndpoint,
        MasterUserSecretArn: props.masterUserSecret.secretArn,
        IndexPrefix: props.indexPrefix,
        RetentionDays: props.retentionDays,
        WriterRoleArn: props.writerRole.roleArn,
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
