import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import type { AssemblyStack } from '../common/assembly';
import { ClusterCommandError, withEksErrors } from './eks';

/** Where the synthesized app declares its EKS cluster. */
export interface DeclaredCluster {
  readonly stackName: string;
  readonly logicalId: string;
  /** The cluster's name when the template fixes it; otherwise CloudFormation generates one. */
  readonly name?: string;
}

const CLUSTER_TYPES = new Set(['AWS::EKS::Cluster', 'Custom::AWSCDK-EKS-Cluster']);

/** The one EKS cluster of the synthesized app; an error names the clusters when there is not exactly one. */
export function declaredCluster(stacks: readonly AssemblyStack[]): DeclaredCluster {
  const found: DeclaredCluster[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (!CLUSTER_TYPES.has(resource.Type)) continue;
      const props = resource.Properties ?? {};
      const name = props.Name ?? (props.Config as { name?: unknown } | undefined)?.name;
      found.push({ stackName: stack.stackName, logicalId, name: typeof name === 'string' ? name : undefined });
    }
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new ClusterCommandError(
      'The synthesized app has no EKS cluster; pass --cluster-name NAME to address one directly.',
    );
  }
  throw new ClusterCommandError(
    `The synthesized app has ${found.length} EKS clusters (${found.map((c) => `${c.stackName}/${c.logicalId}`).join(', ')}); pick one with --cluster-name NAME.`,
  );
}

/**
 * The deployed name of a declared cluster. A generated name is found by the tags CloudFormation
 * puts on every cluster it creates (`aws:cloudformation:stack-name` and `...:logical-id`), so
 * the cluster stack needs no output and no naming convention.
 */
export async function deployedClusterName(
  client: EKSClient,
  region: string,
  declared: DeclaredCluster,
): Promise<string> {
  if (declared.name) return declared.name;
  return withEksErrors(`${declared.stackName}/${declared.logicalId}`, region, async () => {
    for await (const page of paginateListClusters({ client }, {})) {
      for (const name of page.clusters ?? []) {
        const { cluster } = await client.send(new DescribeClusterCommand({ name }));
        const tags = cluster?.tags ?? {};
        if (
          tags['aws:cloudformation:stack-name'] === declared.stackName &&
          tags['aws:cloudformation:logical-id'] === declared.logicalId
        ) {
          return name;
        }
      }
    }
    throw new ClusterCommandError(
      `No EKS cluster in ${region} was created by stack ${declared.stackName} (logical id ${declared.logicalId}): ` +
        'is this profile deployed there? Pass --cluster-name NAME to address a cluster directly.',
    );
  });
}
