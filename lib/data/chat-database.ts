import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Profile } from '../config';
import { DATA_PORTS, DATABASE_NAME, DATABASE_USERS } from '../contract';
import { dataProtection, dataStoreKey, dataStoreSecurityGroup, type DataStoreProps } from './data-store';

/** Props for {@link ChatDatabase}: protecting the data adds deletion protection and a snapshot on delete. */
export interface ChatDatabaseProps extends DataStoreProps {
  /** Sizes, counts and retention from the profile. */
  readonly database: Profile['database'];
  /** The three zones; read replicas are spread over them in turn. */
  readonly availabilityZones: readonly string[];
}

/** The master user; applications get their own roles through IAM authentication or migrations. */
const MASTER_USERNAME = 'chat_admin';
/** Characters kept out of generated passwords so they survive connection strings and shells. */
const PASSWORD_EXCLUDED = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';
/** The logs PostgreSQL exports to CloudWatch, by the construct id of their log group. */
const LOG_EXPORTS = { Postgresql: 'postgresql', Upgrade: 'upgrade' } as const;

/**
 * The chat database: a PostgreSQL primary (Multi-AZ outside dev) and the profile's read
 * replicas, one per zone in turn, all encrypted with one customer-managed key.
 *
 * Reads go to the replicas only (the brief), so each replica's endpoint is exposed on its own.
 */
export class ChatDatabase extends Construct {
  /** The primary instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The read replicas, in zone order; empty in dev. */
  public readonly replicas: readonly rds.DatabaseInstanceReadReplica[];
  /** Where writes go. */
  public readonly writerEndpoint: rds.Endpoint;
  /** One endpoint per read replica. */
  public readonly readerEndpoints: readonly rds.Endpoint[];
  /** The port every instance listens on. */
  public readonly port: number;
  /** The database the apps use (created with the primary). */
  public readonly databaseName: string;
  /** The roles the apps log in as with IAM authentication (the migrations create them). */
  public readonly appUsers = DATABASE_USERS;
  /** The group of every instance: the port from the workload group and the rotation function. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The master credentials (`username`, `password`, `host`, `port`, ...), rotated on a schedule. */
  public readonly secret: secretsmanager.ISecret;
  /** Encrypts storage, Performance Insights, the secret and the exported logs. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ChatDatabaseProps) {
    super(scope, id);
    const { database } = props;
    const { protect, removalPolicy: removal } = dataProtection(props);
    this.port = DATA_PORTS.postgres;
    this.databaseName = DATABASE_NAME;

    const key = dataStoreKey(this, 'Co-Talk PostgreSQL: storage, Performance Insights, credentials, logs', removal);
    this.key = key;

    const securityGroup = dataStoreSecurityGroup(this, props, this.port, {
      group: 'Co-Talk PostgreSQL: accepts the workloads and the rotation function only',
      ingress: 'PostgreSQL from the workloads',
    });
    this.securityGroup = securityGroup;

    const major = database.engineVersion.split('.')[0];
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(database.engineVersion, major),
    });
    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: 'Co-Talk PostgreSQL: TLS only, query statistics, slow-query log',
      parameters: {
        'rds.force_ssl': '1',
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'all',
        log_min_duration_statement: String(database.slowQueryMs),
        log_lock_waits: '1',
        log_temp_files: '0',
      },
    });
    // One role for every instance rather than one each.
    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    Validations.of(monitoringRole.node.defaultChild as Construct).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason:
        'AmazonRDSEnhancedMonitoringRole is the policy AWS documents for enhanced monitoring: it only writes the RDSOSMetrics log group, and AWS keeps it current',
    });

    const instanceType = new ec2.InstanceType(database.instanceClass.replace(/^db\./, ''));
    // One subnet group for every instance rather than one each.
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: 'Co-Talk PostgreSQL: isolated subnets of the three zones',
    });
    // Identifiers are fixed so the log groups below can exist (encrypted, with retention) before
    // RDS would create them itself with neither.
    const identifierPrefix = Stack.of(this).stackName.toLowerCase();
    const shared = {
      instanceType,
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [securityGroup],
      port: this.port,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      iamAuthentication: true,
      enablePerformanceInsights: true,
      performanceInsightRetention: database.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      performanceInsightEncryptionKey: key,
      monitoringInterval: Duration.seconds(database.monitoringIntervalSeconds),
      monitoringRole,
      cloudwatchLogsExports: Object.values(LOG_EXPORTS),
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      deletionProtection: protect,
    };

    const primaryIdentifier = `${identifierPrefix}-primary`;
    this.instance = new rds.DatabaseInstance(this, 'Primary', {
      ...shared,
      engine,
      instanceIdentifier: primaryIdentifier,
      multiAz: database.multiAz,
      allocatedStorage: database.allocatedStorageGiB,
      // Replicas inherit the primary's encryption and key.
      storageEncrypted: true,
      storageEncryptionKey: key,
      maxAllocatedStorage: database.maxAllocatedStorageGiB,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USERNAME, {
        encryptionKey: key,
        excludeCharacters: PASSWORD_EXCLUDED,
      }),
      backupRetention: Duration.days(database.backupRetentionDays),
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: !protect,
      removalPolicy: protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    this.addLogGroups('PrimaryLog', primaryIdentifier, this.instance, props.logRetention, removal);
    if (!database.multiAz) {
      Validations.of(this.instance.node.defaultChild as Construct).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Single-AZ only where the profile says so (dev sandbox); the schema requires Multi-AZ everywhere else',
      });
    }
    if (!protect) {
      Validations.of(this.instance.node.defaultChild as Construct).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection is off only in dev, whose stacks are torn down daily; protectData turns it on',
      });
    }
    this.writerEndpoint = this.instance.instanceEndpoint;
    this.secret = this.instance.secret as secretsmanager.ISecret;
    // A snapshot kept on delete is useless without its master password.
    this.secret.applyRemovalPolicy(removal);

    const replicas: rds.DatabaseInstanceReadReplica[] = [];
    for (let i = 0; i < database.readReplicas; i++) {
      const identifier = `${identifierPrefix}-replica-${i + 1}`;
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${i + 1}`, {
        ...shared,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: identifier,
        availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
        // A replica holds a copy of the primary's data: nothing to snapshot on delete.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.addLogGroups(`Replica${i + 1}Log`, identifier, replica, props.logRetention, removal);
      Validations.of(replica.node.defaultChild as Construct).acknowledge(
        {
          id: 'AwsSolutions-RDS2',
          reason: "A read replica is encrypted with its source's key; RDS rejects StorageEncrypted on a replica",
        },
        {
          id: 'AwsSolutions-RDS3',
          reason: 'Replicas are single-AZ by design and spread one per zone; the primary is Multi-AZ',
        },
        {
          id: 'CloudFormation-Validate::W3010',
          reason: 'Replicas are pinned one per zone on purpose; the zones come from the profile, never looked up',
        },
        {
          id: 'AwsSolutions-RDS11',
          reason: `The replica listens on ${this.port}, not 5432; the rule cannot infer a replica's engine default`,
        },
      );
      replicas.push(replica);
    }
    this.replicas = replicas;
    this.readerEndpoints = replicas.map((r) => r.instanceEndpoint);

    // Hosted rotation: Secrets Manager deploys and owns the function; it runs in the VPC because
    // the database has no public endpoint, and reaches Secrets Manager through the VPC endpoint.
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Co-Talk PostgreSQL password rotation function',
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(
      rotationSecurityGroup,
      ec2.Port.tcp(this.port),
      'PostgreSQL from the rotation function',
    );
    this.secret.addRotationSchedule('RotationSchedule', {
      automaticallyAfter: Duration.days(database.credentialRotationDays),
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [rotationSecurityGroup],
        excludeCharacters: PASSWORD_EXCLUDED,
      }),
    });
  }

  /** Creates an instance's exported log groups before the instance, encrypted and with retention. */
  private addLogGroups(
    id: string,
    identifier: string,
    instance: rds.DatabaseInstanceBase,
    retention: logs.RetentionDays,
    removalPolicy: RemovalPolicy,
  ): void {
    const group = new Construct(this, id);
    for (const [logId, log] of Object.entries(LOG_EXPORTS)) {
      const logGroup = new logs.LogGroup(group, logId, {
        logGroupName: `/aws/rds/instance/${identifier}/${log}`,
        encryptionKey: this.key,
        retention,
        removalPolicy,
      });
      instance.node.addDependency(logGroup);
    }
  }
}
