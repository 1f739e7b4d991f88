import { EnvError } from '../src/env';
import { createRedis, reconnectDelayMs, redisOptionsFromEnv, redisEnvShape, redisRoleEnvShapes } from '../src/redis';
import { z } from 'zod';

describe('createRedis', () => {
  test('connects to a standalone node on the chosen database, named for CLIENT LIST', async () => {
    const redis = createRedis({ url: 'redis://127.0.0.1:6379', db: 11, connectionName: 'common-redis-test' });
    try {
      await redis.set('common-redis-test:key', 'value', 'EX', 10);
      expect(await redis.get('common-redis-test:key')).toBe('value');
      expect(await redis.client('GETNAME')).toBe('common-redis-test');
      const list = String(await redis.client('LIST'));
      expect(list).toMatch(/name=common-redis-test .*db=11/);
    } finally {
      await redis.del('common-redis-test:key');
      redis.disconnect();
    }
  });

  test('rejects a URL with another scheme, naming the allowed ones', () => {
    expect(() => createRedis({ url: 'http://127.0.0.1:6379' })).toThrow(/use redis:\/\/ or rediss:\/\//);
  });

  test('rejects a password inside the URL', () => {
    expect(() => createRedis({ url: 'redis://:secret@127.0.0.1:6379' })).toThrow(/must not carry a password/);
  });

  test('rejects a database index in cluster mode', () => {
    expect(() => createRedis({ url: 'redis://127.0.0.1:6379', clusterMode: true, db: 3 })).toThrow(/cluster mode/);
  });

  test('backs off exponentially up to two seconds', () => {
    expect(reconnectDelayMs(0)).toBe(50);
    expect(reconnectDelayMs(3)).toBe(400);
    expect(reconnectDelayMs(50)).toBe(2000);
  });
});

describe('redisEnvShape', () => {
  const schema = z.object({ ...redisEnvShape, ...redisRoleEnvShapes.cache, ...redisRoleEnvShapes.streams });

  test('a role with its own URL uses its own cluster mode and AUTH token, the others fall back to REDIS_URL', () => {
    const env = schema.parse({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_DB: '2',
      REDIS_PASSWORD: 'local',
      REDIS_CACHE_URL: 'rediss://cache.example:6379',
      REDIS_CACHE_CLUSTER_MODE: 'true',
      REDIS_CACHE_PASSWORD: 'cache-token',
    });
    expect(redisOptionsFromEnv(env, 'cache', 'api')).toEqual({
      url: 'rediss://cache.example:6379',
      clusterMode: true,
      password: 'cache-token',
      connectionName: 'api',
    });
    expect(redisOptionsFromEnv(env, 'streams', 'worker')).toEqual({
      url: 'redis://127.0.0.1:6379',
      clusterMode: false,
      password: 'local',
      db: 2,
      connectionName: 'worker',
    });
  });

  test('a role with neither its URL nor REDIS_URL names both', () => {
    const env = schema.parse({ REDIS_CACHE_URL: 'rediss://cache.example:6379' });
    expect(() => redisOptionsFromEnv(env, 'streams')).toThrow(EnvError);
    expect(() => redisOptionsFromEnv(env, 'streams')).toThrow(/REDIS_STREAMS_URL: is required \(or REDIS_URL/);
  });

  test('parses cluster mode and AUTH into connection options', () => {
    const env = schema.parse({
      REDIS_URL: 'rediss://cache.example:6379',
      REDIS_CLUSTER_MODE: 'true',
      REDIS_PASSWORD: 'x',
    });
    expect(redisOptionsFromEnv(env, 'pubsub', 'gateway')).toEqual({
      url: 'rediss://cache.example:6379',
      clusterMode: true,
      password: 'x',
      db: undefined,
      connectionName: 'gateway',
    });
  });

  test('names the field and the allowed values on bad input', () => {
    const result = schema.safeParse({ REDIS_URL: 'localhost', REDIS_CLUSTER_MODE: 'yes' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['REDIS_URL', 'REDIS_CLUSTER_MODE']));
  });
});
