import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Profile } from '../config';
import { DATA_PORTS } from '../contract';
import { dataProtection, dataStoreKey, dataStoreSecurityGroup, type DataStoreProps } from './data-store';

/** Props for {@link SearchDomain}: protecting the data keeps the domain too. */
export interface SearchDomainProps extends DataStoreProps {
  /** Node counts, types and storage from the profile. */
  readonly search: Profile['search'];
}

/**
 * The newest TLS policy OpenSearch offers (TLS 1.2+ with forward secrecy, 2023 ciphers). The
 * CDK enum stops at `TLS_1_2_PFS`, so the value is set on the CloudFormation property.
 */
const TLS_POLICY = 'Policy-Min-TLS-1-2-PFS-2023-10';
/** The fine-grained access control master user. */
const MASTER_USERNAME = 'chat_admin';
/** The four log types OpenSearch publishes, by the construct id of their log group. */
const LOG_TYPES = ['SlowSearchLog', 'SlowIndexLog', 'AppLog', 'AuditLog'] as const;

/**
 * The search domain (message search, and the log store of the observability tier): OpenSearch
 * in the VPC over three zones with zone awareness, encrypted at rest with its own key and
 * between nodes, HTTPS only, fine-grained access control with a master user in Secrets Manager.
 */
export class SearchDomain extends Construct {
  /** The domain. */
  public readonly domain: opensearch.Domain;
  /** The domain's VPC endpoint (a host name, HTTPS on {@link port}). */
  public readonly endpoint: string;
  /** The port the endpoint serves HTTPS on. */
  public readonly port: number;
  /** The domain's group: HTTPS from the workload group only. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /**
   * The master user: JSON with `username` and `password`. Bootstrap and break-glass only: the
   * deploy-time functions that put the security roles read it; no workload does.
   */
  public readonly masterUserSecret: secretsmanager.ISecret;
  /** Encrypts the indices, the master user secret and the logs. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { search } = props;
    const { removalPolicy } = dataProtection(props);
    this.port = DATA_PORTS.search;

    const key = dataStoreKey(this, 'Co-Talk OpenSearch: indices, master user, logs', removalPolicy);
    this.key = key;

    const securityGroup = dataStoreSecurityGroup(this, props, this.port, {
      group: 'Co-Talk OpenSearch: accepts the workloads only',
      ingress: 'HTTPS from the workloads',
    });
    this.securityGroup = securityGroup;

    this.masterUserSecret = new secretsmanager.Secret(this, 'MasterUser', {
      description: 'Co-Talk OpenSearch fine-grained access control master user',
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: MASTER_USERNAME }),
        generateStringKey: 'password',
        passwordLength: 32,
        // OpenSearch requires upper, lower, digit and special characters.
        requireEachIncludedType: true,
        excludeCharacters: '"\'\\/@`',
      },
      removalPolicy,
    });
    Validations.of(this.masterUserSecret.node.defaultChild as Construct).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Secrets Manager has no rotation function for OpenSearch internal users; the master user is only for break-glass administration and role mapping',
    });

    const logGroups = Object.fromEntries(
      LOG_TYPES.map((type) => [
        type,
        new logs.LogGroup(this, type, { encryptionKey: key, retention: props.logRetention, removalPolicy }),
      ]),
    ) as Record<(typeof LOG_TYPES)[number], logs.LogGroup>;
    // Our own resource policy, scoped to these four groups: the CDK's default would be a
    // custom-resource Lambda and a policy on every log group of the account.
    const logPolicy = new logs.CfnResourcePolicy(this, 'LogPolicy', {
      policyName: `${Stack.of(this).stackName}-search-logs`,
      policyDocument: Stack.of(this).toJsonString(
        new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              principals: [new iam.ServicePrincipal('es.amazonaws.com')],
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: Object.values(logGroups).map((g) => g.logGroupArn),
            }),
          ],
        }).toJSON(),
      ),
    });

    const withMasters = search.dedicatedMasterNodes > 0;
    this.domain = new opensearch.Domain(this, 'Domain', {
      version: opensearch.EngineVersion.openSearch(search.engineVersion),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      securityGroups: [securityGroup],
      zoneAwareness: { enabled: true, availabilityZoneCount: 3 },
      capacity: {
        dataNodes: search.dataNodes,
        dataNodeInstanceType: search.dataNodeInstanceType,
        masterNodes: withMasters ? search.dedicatedMasterNodes : undefined,
        masterNodeInstanceType: withMasters ? search.dedicatedMasterInstanceType : undefined,
        // A standby zone needs dedicated masters; without them (dev) it is off.
        multiAzWithStandbyEnabled: withMasters,
      },
      ebs: { volumeSize: search.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: {
        masterUserName: MASTER_USERNAME,
        masterUserPassword: this.masterUserSecret.secretValueFromJson('password'),
      },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logGroups.SlowSearchLog,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logGroups.SlowIndexLog,
        appLogEnabled: true,
        appLogGroup: logGroups.AppLog,
        auditLogEnabled: true,
        auditLogGroup: logGroups.AuditLog,
      },
      suppressLogsResourcePolicy: true,
      enableVersionUpgrade: true,
      removalPolicy,
    });
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    cfnDomain.addPropertyOverride('DomainEndpointOptions.TLSSecurityPolicy', TLS_POLICY);
    // Fine-grained access control authenticates every request (SigV4 as an IAM role mapped to a
    // security role, or the master user's basic auth, which a policy naming IAM principals would
    // refuse); the VPC and the security group decide who reaches the endpoint at all, and each
    // role's own IAM policy names the paths it may call. Set on the resource itself: the CDK's
    // `accessPolicies` would add a custom-resource Lambda to avoid a self-reference.
    cfnDomain.addPropertyOverride('AccessPolicies', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'es:ESHttp*',
          Resource: Stack.of(this).formatArn({ service: 'es', resource: 'domain', resourceName: '*/*' }),
        },
      ],
    });
    this.domain.node.addDependency(logPolicy);
    Validations.of(cfnDomain).acknowledge(
      {
        id: 'AwsSolutions-OS3',
        reason:
          'The domain has no public endpoint: it sits in isolated subnets and its security group admits the workload group only, which an IP allowlist could not express',
      },
      {
        id: 'AwsSolutions-OS5',
        reason:
          'The open resource policy is the one AWS prescribes with fine-grained access control: every request still authenticates (master user or mapped IAM role), and only the workload group reaches the endpoint',
      },
    );
    if (!withMasters) {
      Validations.of(cfnDomain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason:
          'No dedicated masters only where the profile sets dedicatedMasterNodes to 0 (dev, staging): with three data nodes, master election among them is enough',
      });
    }
    this.endpoint = this.domain.domainEndpoint;
  }
}
