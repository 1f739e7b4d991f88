/**
 * The member cluster ids ElastiCache gives the nodes of a replication group (the dimension its
 * node metrics are published under): `<group>-001`... without cluster mode, and
 * `<group>-0001-001`... (shard, node) with it.
 */
export function redisMemberClusterIds(replicationGroupId: string, nodesPerShard: number, shards?: number): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const nodes = Array.from({ length: nodesPerShard }, (_, i) => pad(i + 1, 3));
  if (shards === undefined) return nodes.map((node) => `${replicationGroupId}-${node}`);
  return Array.from({ length: shards }, (_, s) => pad(s + 1, 4)).flatMap((shard) =>
    nodes.map((node) => `${replicationGroupId}-${shard}-${node}`),
  );
}
