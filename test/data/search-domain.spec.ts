import { Match } from 'aws-cdk-lib/assertions';
import type { ProfileName } from '../../lib/config';
import { synthApp } from '../support/synth-app';

const dataTemplate = (name: ProfileName) => {
  const synthesized = synthApp(name);
  return synthesized.template(synthesized.stacks.data);
};

describe('SearchDomain', () => {
  test('OpenSearch 2.19 in the VPC over three zones with zone awareness', () => {
    dataTemplate('dev').hasResourceProperties('AWS::OpenSearchService::Domain', {
      EngineVersion: 'OpenSearch_2.19',
      ClusterConfig: Match.objectLike({
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      }),
      VPCOptions: {
        SubnetIds: [Match.anyValue(), Match.anyValue(), Match.anyValue()],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SearchDomainSecurityGroup'), 'GroupId'] }],
      },
    });
  });

  test('scale: dedicated masters and a standby zone; data nodes and storage from the profile', () => {
    dataTemplate('scale').hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 6,
        InstanceType: 'r7g.2xlarge.search',
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        DedicatedMasterType: 'm7g.large.search',
        MultiAZWithStandbyEnabled: true,
      }),
      EBSOptions: { EBSEnabled: true, VolumeSize: 1000, VolumeType: 'gp3' },
    });
  });

  test('prod: three data nodes of the budget size, no dedicated masters (and so no standby zone)', () => {
    dataTemplate('prod').hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 3,
        InstanceType: 'm7g.large.search',
        DedicatedMasterEnabled: false,
        MultiAZWithStandbyEnabled: false,
      }),
      EBSOptions: { EBSEnabled: true, VolumeSize: 50, VolumeType: 'gp3' },
    });
  });

  test('dev: no dedicated masters, no standby', () => {
    dataTemplate('dev').hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        DedicatedMasterEnabled: false,
        MultiAZWithStandbyEnabled: false,
        InstanceType: 'm7g.large.search',
      }),
    });
  });

  test('encrypted at rest with its key and between nodes, HTTPS only with the 2023 TLS 1.2 policy', () => {
    dataTemplate('prod').hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: { Ref: Match.stringLikeRegexp('^SearchDomainKey') } },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    });
  });

  test('fine-grained access control with its master user in a key-encrypted secret', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedSecurityOptions: {
        Enabled: true,
        InternalUserDatabaseEnabled: true,
        MasterUserOptions: {
          MasterUserName: 'chat_admin',
          MasterUserPassword: {
            'Fn::Join': [
              '',
              [
                '{{resolve:secretsmanager:',
                { Ref: Match.stringLikeRegexp('^SearchDomainMasterUser') },
                ':SecretString:password::}}',
              ],
            ],
          },
        },
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SearchDomainKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', RequireEachIncludedType: true }),
    });
  });

  test('slow-search, slow-index, application and audit logs go to CloudWatch under a scoped resource policy', () => {
    const template = dataTemplate('prod');
    const logType = (id: string) => ({
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^SearchDomain${id}`), 'Arn'] },
      Enabled: true,
    });
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      LogPublishingOptions: {
        SEARCH_SLOW_LOGS: logType('SlowSearchLog'),
        INDEX_SLOW_LOGS: logType('SlowIndexLog'),
        ES_APPLICATION_LOGS: logType('AppLog'),
        AUDIT_LOGS: logType('AuditLog'),
      },
    });
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.hasResource('AWS::OpenSearchService::Domain', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^SearchDomainLogPolicy')]),
    });
    // No custom-resource Lambda for the log policy: the data stack's one function rotates the token keys.
    expect(Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Description)).toEqual(
      [expect.stringMatching(/rotates the access token ES256 keys/)],
    );
  });

  test.each<[ProfileName, string]>([
    ['dev', 'Delete'],
    ['prod', 'Retain'],
  ])('%s: the domain has deletion policy %s', (name, policy) => {
    dataTemplate(name).hasResource('AWS::OpenSearchService::Domain', { DeletionPolicy: policy });
  });
});
