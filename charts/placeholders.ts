import {
  DATA_PORTS,
  DATABASE_NAME,
  DATABASE_USERS,
  redisUserName,
  redisUsersOf,
  type RedisRole,
} from '../lib/contract';
import type { CoTalkChartsProps } from './co-talk-charts';

/**
 * The one place standalone rendering (`npm run synth:k8s`) takes its deploy-time values from.
 * Everything here is an obvious placeholder: no real account, secret or image. A deploy through
 * the workloads stack passes the real values from the other stacks instead. The data stores'
 * ports are the data stack's own, so the rendered network policies are the deployed ones.
 */
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;
const ACCOUNT = '000000000000';
const secret = (name: string) => `arn:aws:secretsmanager:region-placeholder:${ACCOUNT}:secret:co-talk/${name}-AbCdEf`;
/** Each app's user on a cluster, named as the data stack names them (environment `env`). */
const redisUsers = (role: RedisRole) =>
  Object.fromEntries(
    redisUsersOf(role).map(({ app }) => {
      const userName = redisUserName('env', app, role);
      return [app, { userName, secretArn: secret(userName) }];
    }),
  );
const targetGroup = (name: string) =>
  `arn:aws:elasticloadbalancing:region-placeholder:${ACCOUNT}:targetgroup/${name}/0000000000000000`;

export const PLACEHOLDERS: Omit<CoTalkChartsProps, 'profile'> = {
  images: {
    gateway: `registry.example/co-talk/gateway@${ZERO_DIGEST}`,
    api: `registry.example/co-talk/api@${ZERO_DIGEST}`,
    worker: `registry.example/co-talk/worker@${ZERO_DIGEST}`,
  },
  backends: {
    region: 'region-placeholder',
    database: {
      writerHost: 'postgres-writer.example.internal',
      readerHosts: ['postgres-replica-1.example.internal', 'postgres-replica-2.example.internal'],
      port: DATA_PORTS.postgres,
      name: DATABASE_NAME,
      users: DATABASE_USERS,
      secretArn: secret('database'),
    },
    redis: {
      cache: {
        host: 'redis-cache.example.internal',
        port: DATA_PORTS.cache,
        clusterMode: true,
        users: redisUsers('cache'),
      },
      pubsub: {
        host: 'redis-pubsub.example.internal',
        port: DATA_PORTS.pubsub,
        clusterMode: false,
        users: redisUsers('pubsub'),
      },
      streams: {
        host: 'redis-streams.example.internal',
        port: DATA_PORTS.streams,
        clusterMode: false,
        users: redisUsers('streams'),
      },
    },
    search: { host: 'opensearch.example.internal', port: DATA_PORTS.search },
    jwt: {
      issuer: 'https://auth.example.com',
      signingKeysSecretArn: secret('token-signing-keys'),
      publicKeysSecretArn: secret('token-public-keys'),
    },
  },
  targetGroupArns: { gateway: targetGroup('gateway'), kong: targetGroup('kong') },
};
