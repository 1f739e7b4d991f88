import { Match } from 'aws-cdk-lib/assertions';
import type { ProfileName } from '../../lib/config';
import { synthApp } from '../support/synth-app';

const dataTemplate = (name: ProfileName) => {
  const synthesized = synthApp(name);
  return synthesized.template(synthesized.stacks.data);
};
const primary = { Engine: 'postgres' };
const replica = { SourceDBInstanceIdentifier: Match.anyValue() };

describe('ChatDatabase', () => {
  test('prod: a Multi-AZ PostgreSQL 17 primary of the budget size, encrypted with the database key', () => {
    dataTemplate('prod').hasResourceProperties('AWS::RDS::DBInstance', {
      ...primary,
      EngineVersion: '17.6',
      DBInstanceClass: 'db.t4g.medium',
      MultiAZ: true,
      AllocatedStorage: '50',
      MaxAllocatedStorage: 8000,
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseKey'), 'Arn'] },
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      Port: '5433',
    });
  });

  test.each<[ProfileName, number]>([
    ['dev', 0],
    ['staging', 2],
    ['prod', 5],
    ['scale', 5],
  ])('%s: %i read replicas, spread over the zones in turn', (name, count) => {
    const template = dataTemplate(name);
    const replicas = Object.values(template.findResources('AWS::RDS::DBInstance', { Properties: replica }));
    expect(replicas).toHaveLength(count);
    expect(replicas.map((r) => r.Properties.AvailabilityZone)).toEqual(
      ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c', 'ap-northeast-2a', 'ap-northeast-2b'].slice(0, count),
    );
  });

  test('prod: replicas match the primary size, monitoring and logging', () => {
    dataTemplate('prod').hasResourceProperties('AWS::RDS::DBInstance', {
      ...replica,
      DBInstanceClass: 'db.t4g.medium',
      EnablePerformanceInsights: true,
      MonitoringInterval: 15,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
    });
  });

  test.each<[ProfileName, Record<string, unknown>, string]>([
    ['dev', { BackupRetentionPeriod: 7, DeletionProtection: false, MultiAZ: false }, 'Delete'],
    ['prod', { BackupRetentionPeriod: 35, DeletionProtection: true, MultiAZ: true }, 'Snapshot'],
  ])('%s: backups, deletion protection and the delete policy follow the profile', (name, props, policy) => {
    dataTemplate(name).hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ ...primary, ...props }),
      DeletionPolicy: policy,
      UpdateReplacePolicy: policy,
    });
  });

  test.each<[ProfileName, number, number, string]>([
    ['dev', 7, 60, '500'],
    ['prod', 93, 15, '200'],
  ])('%s: Performance Insights (%i days), enhanced monitoring (%is), slow queries over %s ms', (name, pi, mon, ms) => {
    const template = dataTemplate(name);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      ...primary,
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: pi,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseKey'), 'Arn'] },
      MonitoringInterval: mon,
      MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseMonitoringRole'), 'Arn'] },
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: {
        'rds.force_ssl': '1',
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'all',
        log_min_duration_statement: ms,
        log_lock_waits: '1',
        log_temp_files: '0',
      },
    });
  });

  test('exported logs go to key-encrypted groups created before the instances, with the profile retention', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/instance/cotalk-prod-data-primary/postgresql',
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/instance/cotalk-prod-data-replica-5/upgrade',
    });
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DBInstanceIdentifier: 'cotalk-prod-data-primary' }),
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ChatDatabasePrimaryLogPostgresql')]),
    });
  });

  test.each<[ProfileName, string]>([
    ['dev', 'Delete'],
    ['prod', 'Retain'],
  ])('%s: the credentials secret has deletion policy %s', (name, policy) => {
    dataTemplate(name).hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"chat_admin"}' }),
      }),
      DeletionPolicy: policy,
    });
  });

  test('credentials are generated in Secrets Manager, key-encrypted, and rotated in the VPC', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"chat_admin"}' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      HostedRotationLambda: Match.objectLike({
        RotationType: 'PostgreSQLSingleUser',
        VpcSecurityGroupIds: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseRotationSecurityGroup'), 'GroupId'],
        },
        VpcSubnetIds: Match.anyValue(),
      }),
    });
  });

  test('the database group admits the workloads and the rotation function, on the database port only', () => {
    const template = dataTemplate('prod');
    const ingress = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDatabaseSecurityGroup'), 'GroupId'] } },
      }),
    ).map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({ FromPort: 5433, ToPort: 5433, Description: 'PostgreSQL from the workloads' }),
      expect.objectContaining({ FromPort: 5433, ToPort: 5433, Description: 'PostgreSQL from the rotation function' }),
    ]);
  });

  test('the typed properties expose one reader endpoint per replica', () => {
    const { database } = synthApp('prod').stacks.data;
    expect(database.readerEndpoints).toHaveLength(5);
    expect(database.port).toBe(5433);
    expect(database.secret.secretArn).toBeDefined();
    expect(synthApp('dev').stacks.data.database.readerEndpoints).toHaveLength(0);
  });
});
