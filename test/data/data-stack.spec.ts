import { Match } from 'aws-cdk-lib/assertions';
import { PROFILE_NAMES, type ProfileName } from '../../lib/config';
import { synthApp } from '../support/synth-app';

const dataTemplate = (name: ProfileName) => {
  const synthesized = synthApp(name);
  return synthesized.template(synthesized.stacks.data);
};

describe('DataStack', () => {
  test.each<[ProfileName, boolean]>([
    ['dev', false],
    ['staging', true],
    ['prod', true],
    ['scale', true],
  ])('%s: termination protection is %s', (name, on) => {
    expect(synthApp(name).stacks.data.terminationProtection).toBe(on);
  });

  // Renaming any of these replaces the resource, and with it the data: change one only with a
  // migration plan, then update this list.
  test('stateful logical ids are pinned', () => {
    const template = dataTemplate('prod');
    const idsOf = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(idsOf('AWS::RDS::DBInstance')).toEqual([
      'ChatDatabasePrimary07D746AC',
      'ChatDatabaseReplica1628C33A4',
      'ChatDatabaseReplica265EF7C61',
      'ChatDatabaseReplica3BF6B0662',
      'ChatDatabaseReplica4FAB1E1D6',
      'ChatDatabaseReplica589A88988',
    ]);
    expect(idsOf('AWS::ElastiCache::ReplicationGroup')).toEqual([
      'RedisClustersCache25A8C496',
      'RedisClustersPubsubDBB934DE',
      'RedisClustersStreams788D6D80',
    ]);
    expect(idsOf('AWS::OpenSearchService::Domain')).toEqual(['SearchDomainDEDB155F']);
    expect(idsOf('AWS::KMS::Key')).toEqual([
      'ChatDatabaseKeyFAE7B1FA',
      'RedisClustersKeyDA21A225',
      'SearchDomainKeyF9BDE04E',
    ]);
    expect(idsOf('AWS::SecretsManager::Secret')).toEqual([
      'DataChatDatabasePrimarySecretBCBE495B3fdaad7efa858a3daf9490cf0a702aeb',
      'RedisClustersCacheAccessApiPasswordEC36FCF7',
      'RedisClustersCacheAccessGatewayPasswordC23C3F3B',
      'RedisClustersPubsubAccessGatewayPassword49AC16FF',
      'RedisClustersPubsubAccessKongPassword42F180C4',
      'RedisClustersStreamsAccessGatewayPassword0F578AFC',
      'RedisClustersStreamsAccessWorkerPassword7BA79C03',
      'SearchDomainMasterUser12B32F0F',
      'TokenSigningPublicKeys8A7BF644',
      'TokenSigningSecretD8B1ECFD',
    ]);
  });

  test('each store admits only the workload group (and the rotation function), each on its own port', () => {
    const template = dataTemplate('prod');
    const workloadGroup = {
      'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('WorkloadSecurityGroup') }),
    };
    const fromWorkloads = (group: string, port: number) =>
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${group}`), 'GroupId'] },
        SourceSecurityGroupId: workloadGroup,
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
      });
    fromWorkloads('ChatDatabaseSecurityGroup', 5433);
    fromWorkloads('RedisClustersCacheSecurityGroup', 6380);
    fromWorkloads('RedisClustersPubsubSecurityGroup', 6381);
    fromWorkloads('RedisClustersStreamsSecurityGroup', 6382);
    fromWorkloads('SearchDomainSecurityGroup', 443);

    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress).toHaveLength(6);
    for (const rule of ingress) {
      expect(rule.Properties.CidrIp).toBeUndefined();
      expect(rule.Properties.CidrIpv6).toBeUndefined();
    }
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const [logicalId, group] of Object.entries(groups)) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      // The stores open no connections of their own; only the rotation function calls out.
      if (!logicalId.startsWith('ChatDatabaseRotationSecurityGroup')) {
        expect(group.Properties.SecurityGroupEgress).toEqual([
          expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
        ]);
      }
    }
  });

  test.each(PROFILE_NAMES)('%s: every password and token is a Secrets Manager dynamic reference', (name) => {
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (/Password$|Passwords$|AuthToken$/.test(key)) found.push(JSON.stringify(value));
          walk(value);
        }
      }
    };
    walk(dataTemplate(name).toJSON().Resources);
    // The database master password, the six Redis users' passwords and the search master password.
    expect(found).toHaveLength(8);
    for (const value of found) expect(value).toContain('{{resolve:secretsmanager:');
  });

  test('outputs name the endpoints, ports and secrets', () => {
    const template = dataTemplate('prod');
    for (const id of [
      'DatabaseWriterEndpoint',
      'DatabaseReaderEndpoints',
      'DatabasePort',
      'DatabaseSecretArn',
      'RedisCacheEndpoint',
      'RedisCachePort',
      'RedisCacheApiPasswordArn',
      'RedisPubsubKongPasswordArn',
      'RedisPubsubEndpoint',
      'RedisStreamsEndpoint',
      'SearchEndpoint',
      'SearchMasterUserSecretArn',
    ]) {
      template.hasOutput(id, { Value: Match.anyValue() });
    }
    template.hasOutput('DatabasePort', { Value: '5433' });
    template.hasOutput('RedisCacheEndpoint', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RedisClustersCache'), 'ConfigurationEndPoint.Address'] },
    });
  });

  test.each<[ProfileName, string]>([
    ['dev', 'Delete'],
    ['prod', 'Retain'],
  ])(
    '%s: the token keys are generated by their rotation function, never in the template, and kept outside dev',
    (name, policy) => {
      const template = dataTemplate(name);
      const secret = (description: string) =>
        Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([, r]) =>
          String(r.Properties.Description).includes(description),
        )!;
      const [privateId, privateSet] = secret('private ES256 key set');
      const [publicId, publicSet] = secret('public ES256 keys');
      for (const resource of [privateSet, publicSet]) {
        expect(resource.DeletionPolicy).toBe(policy);
        // A placeholder until the first rotation: no key in the template.
        expect(resource.Properties.GenerateSecretString).toEqual({
          SecretStringTemplate: '{}',
          GenerateStringKey: 'placeholder',
        });
      }
      const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
      expect(secrets.filter((s) => s.Properties.SecretString !== undefined)).toEqual([]);

      // Every 90 days, by the function that publishes the public halves.
      const [, schedule] = Object.entries(template.findResources('AWS::SecretsManager::RotationSchedule')).find(
        ([, r]) => r.Properties.SecretId.Ref === privateId,
      )!;
      expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(90 days)' });
      const functionId = schedule.Properties.RotationLambdaARN['Fn::GetAtt'][0];
      const fn = template.toJSON().Resources[functionId];
      expect(fn.Properties.Environment.Variables).toEqual({ PUBLIC_KEYS_SECRET_ARN: { Ref: publicId } });
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.VpcConfig).toBeUndefined();
      // The function may write the public set (and rotate the private one), nothing else.
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const resourcesOf = (action: string) =>
        statements.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());
      expect(resourcesOf('secretsmanager:PutSecretValue')).toEqual(
        expect.arrayContaining([{ Ref: publicId }, { Ref: privateId }]),
      );
      expect(resourcesOf('secretsmanager:PutSecretValue')).toHaveLength(2);
    },
  );
});
