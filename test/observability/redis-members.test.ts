import { redisMemberClusterIds } from '../../lib/observability/redis-members';

describe('redisMemberClusterIds', () => {
  test('names the nodes of a group without cluster mode', () => {
    expect(redisMemberClusterIds('chat-pubsub', 3)).toEqual(['chat-pubsub-001', 'chat-pubsub-002', 'chat-pubsub-003']);
  });

  test('names shard and node in cluster mode', () => {
    expect(redisMemberClusterIds('chat-cache', 2, 2)).toEqual([
      'chat-cache-0001-001',
      'chat-cache-0001-002',
      'chat-cache-0002-001',
      'chat-cache-0002-002',
    ]);
  });
});
