import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { parse, stringify } from 'yaml';
import { ClusterCommandError, withEksErrors } from './eks';

/** Options for {@link writeKubeconfig}. */
export interface KubeconfigOptions {
  readonly clusterName: string;
  readonly region: string;
  /** The kubeconfig to update. @default - the first path of $KUBECONFIG, else ~/.kube/config */
  readonly file?: string;
  /** A role `aws eks get-token` assumes (one of the profile's admin roles). @default - the caller's identity */
  readonly roleArn?: string;
}

interface Named {
  name: string;
  [key: string]: unknown;
}

/** The kubeconfig file the tools write by default, as kubectl picks it. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(path.delimiter).find((p) => p.length > 0);
  return first ?? path.join(os.homedir(), '.kube', 'config');
}

/**
 * Writes (or updates) a kubeconfig entry for the cluster, authenticating with `aws eks get-token`
 * through kubectl's exec plugin: no token is stored, each kubectl call gets a fresh one.
 * Other clusters, users and contexts in the file are kept; the new context becomes current.
 */
export async function writeKubeconfig(
  client: EKSClient,
  options: KubeconfigOptions,
): Promise<{ file: string; context: string }> {
  const cluster = await withEksErrors(options.clusterName, options.region, async () => {
    const response = await client.send(new DescribeClusterCommand({ name: options.clusterName }));
    return response.cluster;
  });
  if (!cluster?.arn || !cluster.endpoint || !cluster.certificateAuthority?.data) {
    throw new ClusterCommandError(
      `Cluster "${options.clusterName}" has no endpoint yet (status ${cluster?.status ?? 'unknown'}); wait until it is ACTIVE.`,
    );
  }
  const file = options.file ?? defaultKubeconfigPath();
  const context = cluster.arn;
  const args = [
    '--region',
    options.region,
    'eks',
    'get-token',
    '--cluster-name',
    options.clusterName,
    '--output',
    'json',
  ];
  if (options.roleArn) args.push('--role-arn', options.roleArn);

  const existing = fs.existsSync(file) ? ((parse(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>) : {};
  const upsert = (list: unknown, entry: Named): Named[] => [
    ...((Array.isArray(list) ? list : []) as Named[]).filter((e) => e.name !== entry.name),
    entry,
  ];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    ...existing,
    clusters: upsert(existing.clusters, {
      name: cluster.arn,
      cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.certificateAuthority.data },
    }),
    users: upsert(existing.users, {
      name: cluster.arn,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args,
          interactiveMode: 'IfAvailable',
          provideClusterInfo: false,
        },
      },
    }),
    contexts: upsert(existing.contexts, { name: context, context: { cluster: cluster.arn, user: cluster.arn } }),
    'current-context': context,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The file holds no secret, but kubectl warns about group/world-readable kubeconfigs.
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { file, context };
}
