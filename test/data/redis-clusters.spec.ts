import { Match } from 'aws-cdk-lib/assertions';
import type { ProfileName } from '../../lib/config';
import {
  REDIS_ACCESS,
  redisAccessString,
  redisUserName,
  type RedisAccess,
  type RedisApp,
  type RedisRole,
} from '../../lib/contract';
import { synthApp } from '../support/synth-app';

const dataTemplate = (name: ProfileName) => {
  const synthesized = synthApp(name);
  return synthesized.template(synthesized.stacks.data);
};
const byDescription = (description: string) => ({ ReplicationGroupDescription: `Co-Talk ${description}` });

describe('RedisClusters', () => {
  test('three replication groups: cache, pub/sub, streams', () => {
    dataTemplate('prod').resourceCountIs('AWS::ElastiCache::ReplicationGroup', 3);
  });

  test.each<[ProfileName, number, number]>([
    ['dev', 1, 1],
    ['prod', 1, 1],
    ['scale', 6, 2],
  ])('%s: the cache runs in cluster mode with %i shard(s) of %i replica(s)', (name, shards, replicas) => {
    dataTemplate(name).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ...byDescription('L2 cache'),
      ClusterMode: 'enabled',
      CacheParameterGroupName: 'default.redis7.cluster.on',
      NumNodeGroups: shards,
      ReplicasPerNodeGroup: replicas,
      Port: 6380,
    });
  });

  test('prod: pub/sub and streams are one primary plus the profile replicas, streams snapshotted 35 days', () => {
    const template = dataTemplate('prod');
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ...byDescription('pub/sub fan-out'),
      ClusterMode: 'disabled',
      NumCacheClusters: 2,
      Port: 6381,
      SnapshotRetentionLimit: 0,
    });
    template.hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: Match.objectLike({
        ...byDescription('message streams'),
        NumCacheClusters: 2,
        Port: 6382,
        SnapshotRetentionLimit: 35,
        SnapshotWindow: Match.anyValue(),
      }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('dev: the streams cluster is deleted with the stack', () => {
    dataTemplate('dev').hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: Match.objectLike(byDescription('message streams')),
      DeletionPolicy: 'Delete',
    });
  });

  test.each(['L2 cache', 'pub/sub fan-out', 'message streams'])(
    '%s: TLS required, encrypted at rest with the Redis key, Multi-AZ failover, isolated subnet group',
    (description) => {
      dataTemplate('dev').hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        ...byDescription(description),
        Engine: 'redis',
        EngineVersion: '7.1',
        TransitEncryptionEnabled: true,
        // Unset: a cluster created with TLS requires it ('preferred' is only for migrations).
        TransitEncryptionMode: Match.absent(),
        AtRestEncryptionEnabled: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RedisClustersKey'), 'Arn'] },
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        CacheSubnetGroupName: { Ref: Match.stringLikeRegexp('^RedisClustersSubnetGroup') },
        LogDeliveryConfigurations: [Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs' })],
      });
    },
  );

  test('no AUTH token: each cluster attaches its own RBAC user group', () => {
    const template = dataTemplate('prod');
    const groups = template.findResources('AWS::ElastiCache::ReplicationGroup');
    for (const [id, group] of Object.entries(groups)) {
      expect(group.Properties.AuthToken).toBeUndefined();
      const cluster = id.replace(/^RedisClusters(Cache|Pubsub|Streams).*$/, '$1');
      expect(group.Properties.UserGroupIds).toEqual([
        { Ref: expect.stringMatching(`^RedisClusters${cluster}AccessUserGroup`) },
      ]);
    }
    template.resourceCountIs('AWS::ElastiCache::UserGroup', 3);
  });

  test.each<[RedisRole, RedisApp[]]>([
    ['cache', ['gateway', 'api']],
    ['pubsub', ['gateway', 'kong']],
    ['streams', ['gateway', 'worker']],
  ])('%s: a switched-off default user and one user per app that uses it (%s)', (role, apps) => {
    const template = dataTemplate('prod');
    const users = template.findResources('AWS::ElastiCache::User');
    const [groupId, group] = Object.entries(template.findResources('AWS::ElastiCache::UserGroup')).find(([, g]) =>
      g.Properties.UserGroupId.endsWith(`-${role}`),
    )!;
    expect(group.Properties).toMatchObject({ Engine: 'redis', UserGroupId: `cotalk-prod-${role}` });
    const members = (group.Properties.UserIds as { Ref: string }[]).map(({ Ref }) => users[Ref].Properties);
    expect(members).toEqual([
      expect.objectContaining({
        Engine: 'redis',
        UserId: `cotalk-prod-${role}-default`,
        UserName: 'default',
        AccessString: 'off -@all',
        AuthenticationMode: { Type: 'no-password-required' },
      }),
      ...apps.map((app) =>
        expect.objectContaining({
          Engine: 'redis',
          UserId: redisUserName('prod', app, role),
          UserName: redisUserName('prod', app, role),
          // The contract's string, the one apps/test/redis-acl.test.ts runs the apps' code under.
          AccessString: redisAccessString((REDIS_ACCESS[app] as Record<string, RedisAccess>)[role]),
          AuthenticationMode: {
            Type: 'password',
            Passwords: [
              {
                'Fn::Join': [
                  '',
                  [
                    '{{resolve:secretsmanager:',
                    {
                      Ref: expect.stringMatching(
                        new RegExp(`^RedisClusters\\w+Access${app[0].toUpperCase()}${app.slice(1)}Password`),
                      ),
                    },
                    ':SecretString:::}}',
                  ],
                ],
              },
            ],
          },
        }),
      ),
    ]);
    expect(groupId).toMatch(/UserGroup/);
  });

  test('one generated password secret per app user, under the Redis key', () => {
    dataTemplate('prod').resourcePropertiesCountIs(
      'AWS::SecretsManager::Secret',
      {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RedisClustersKey'), 'Arn'] },
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      },
      6,
    );
  });

  test('the subnet group holds the isolated subnets of the three zones', () => {
    const [subnetGroup] = Object.values(dataTemplate('prod').findResources('AWS::ElastiCache::SubnetGroup'));
    const outputs = subnetGroup.Properties.SubnetIds.map(
      (s: { 'Fn::GetStackOutput': { OutputName: string } }) => s['Fn::GetStackOutput'].OutputName,
    );
    expect(outputs).toEqual([
      expect.stringContaining('DataSubnet1'),
      expect.stringContaining('DataSubnet2'),
      expect.stringContaining('DataSubnet3'),
    ]);
  });

  test('typed properties: endpoints, own ports, reader endpoint outside cluster mode', () => {
    const { redis } = synthApp('prod').stacks.data;
    expect([redis.cache.port, redis.pubsub.port, redis.streams.port]).toEqual([6380, 6381, 6382]);
    expect(redis.cache.clusterMode).toBe(true);
    expect(redis.cache.readerEndpoint).toBeUndefined();
    expect(redis.pubsub.readerEndpoint).toBeDefined();
  });
});
