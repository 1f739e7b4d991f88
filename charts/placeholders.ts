import type { CoTalkChartsProps } from './co-talk-charts';

/**
 * The one place standalone rendering (`npm run synth:k8s`) takes its deploy-time values from.
 * Everything here is an obvious placeholder: no real account, secret or image. A deploy through
 * the workloads stack passes the real values from the other stacks instead.
 */
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;
const ACCOUNT = '000000000000';
const secret = (name: string) => `arn:aws:secretsmanager:region-placeholder:${ACCOUNT}:secret:co-talk/${name}-AbCdEf`;
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
    databaseWriterHost: 'postgres-writer.example.internal',
    databaseReaderHost: 'postgres-reader.example.internal',
    redisCacheHost: 'redis-cache.example.internal',
    redisPubSubHost: 'redis-pubsub.example.internal',
    redisStreamsHost: 'redis-streams.example.internal',
    openSearchHost: 'opensearch.example.internal',
    databaseSecretArn: secret('database'),
    redisSecretArn: secret('redis'),
    openSearchSecretArn: secret('opensearch'),
    jwtSecretArn: secret('jwt'),
    jwtIssuer: 'https://auth.example.com',
  },
  targetGroupArns: { gateway: targetGroup('gateway'), kong: targetGroup('kong') },
  kongCredentialsSecretName: 'kong-credentials',
};
