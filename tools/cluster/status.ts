import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  paginateListAddons,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import { withEksErrors } from './eks';

/** The outcome of a cluster command: lines to print and whether everything was healthy. */
export interface CommandResult {
  readonly lines: string[];
  readonly healthy: boolean;
}

/** Lists every page of a paginated EKS list call. */
export async function collect<T>(pages: AsyncIterable<T>, pick: (page: T) => string[] | undefined): Promise<string[]> {
  const all: string[] = [];
  for await (const page of pages) all.push(...(pick(page) ?? []));
  return all;
}

/**
 * Cluster, node group and add-on health: status, versions, sizes and every health issue EKS
 * reports. Healthy means everything ACTIVE with no issue.
 */
export async function clusterStatus(client: EKSClient, clusterName: string, region: string): Promise<CommandResult> {
  return withEksErrors(clusterName, region, async () => {
    const lines: string[] = [];
    let healthy = true;
    const { cluster } = await client.send(new DescribeClusterCommand({ name: clusterName }));
    const access = cluster?.resourcesVpcConfig;
    lines.push(
      `Cluster ${clusterName} (${region}): ${cluster?.status ?? 'UNKNOWN'}, Kubernetes ${cluster?.version ?? '?'} (${cluster?.platformVersion ?? '?'}), ` +
        `endpoint ${access?.endpointPublicAccess ? 'public+' : ''}${access?.endpointPrivateAccess ? 'private' : ''}`,
    );
    if (cluster?.status !== 'ACTIVE') healthy = false;
    for (const issue of cluster?.health?.issues ?? []) {
      healthy = false;
      lines.push(`  ! ${issue.code}: ${issue.message}`);
    }

    const nodegroups = await collect(paginateListNodegroups({ client }, { clusterName }), (p) => p.nodegroups);
    lines.push(`Node groups (${nodegroups.length}):`);
    for (const name of nodegroups.sort()) {
      const { nodegroup } = await client.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: name }));
      const s = nodegroup?.scalingConfig;
      lines.push(
        `  ${name}: ${nodegroup?.status ?? 'UNKNOWN'}, ${nodegroup?.instanceTypes?.join('/') ?? '?'} ${nodegroup?.capacityType ?? ''}, ` +
          `desired ${s?.desiredSize ?? '?'} (min ${s?.minSize ?? '?'}, max ${s?.maxSize ?? '?'}), Kubernetes ${nodegroup?.version ?? '?'}, release ${nodegroup?.releaseVersion ?? '?'}`,
      );
      if (nodegroup?.status !== 'ACTIVE') healthy = false;
      if (nodegroup?.version && cluster?.version && nodegroup.version !== cluster.version) {
        lines.push(`    ! runs ${nodegroup.version}, the control plane ${cluster.version}: update the node group`);
      }
      for (const issue of nodegroup?.health?.issues ?? []) {
        healthy = false;
        lines.push(
          `    ! ${issue.code}: ${issue.message}${issue.resourceIds?.length ? ` (${issue.resourceIds.join(', ')})` : ''}`,
        );
      }
    }

    const addons = await collect(paginateListAddons({ client }, { clusterName }), (p) => p.addons);
    lines.push(`Add-ons (${addons.length}):`);
    for (const name of addons.sort()) {
      const { addon } = await client.send(new DescribeAddonCommand({ clusterName, addonName: name }));
      lines.push(`  ${name}: ${addon?.status ?? 'UNKNOWN'}, ${addon?.addonVersion ?? '?'}`);
      if (addon?.status !== 'ACTIVE') healthy = false;
      for (const issue of addon?.health?.issues ?? []) {
        healthy = false;
        lines.push(`    ! ${issue.code}: ${issue.message}`);
      }
    }
    lines.push(healthy ? 'Healthy.' : 'NOT healthy: see the lines marked !');
    return { lines, healthy };
  });
}
