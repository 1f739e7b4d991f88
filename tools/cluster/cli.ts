import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EKSClient } from '@aws-sdk/client-eks';
import { loadProfile } from '../../lib/config';
import { parseToolArgs, profilesFromContext, runMain, UsageError } from '../common/args';
import { readAssembly } from '../common/assembly';
import { synthesize } from '../common/synth';
import { createEksClient } from './eks';
import { declaredCluster, deployedClusterName } from './find-cluster';
import { writeKubeconfig } from './kubeconfig';
import { clusterStatus } from './status';
import { upgradeCheck } from './upgrade-check';

export const COMMANDS = ['kubeconfig', 'status', 'upgrade-check'] as const;

const USAGE = `usage: npm run cluster -- ${COMMANDS.join('|')} -c env=NAME [options]

  kubeconfig      write a kubeconfig entry (aws eks get-token auth) and make it current
  status          cluster, node group and add-on health (exit 1 when not healthy)
  upgrade-check   upgrade insights and add-on compatibility for the next Kubernetes minor
                  (exit 1 when not ready)

options:
  --cluster-name NAME  address the cluster directly (otherwise it is found from the synthesized
                       app: the name in the template, or the CloudFormation tags of the cluster)
  --assembly DIR       use an existing cloud assembly (cdk.out) instead of synthesizing
  --region REGION      default: the profile's region
  --kubeconfig PATH    kubeconfig to update (default: $KUBECONFIG, else ~/.kube/config)
  --role-arn ARN       role for aws eks get-token to assume (e.g. an admin role of the profile)`;

/** Runs one cluster command; `client` is injectable so tests drive it with a mocked SDK. */
export async function runCluster(
  argv: string[],
  makeClient: (region: string) => EKSClient = createEksClient,
): Promise<number> {
  const { values, positionals, context } = parseToolArgs(argv, {
    'cluster-name': { type: 'string' },
    assembly: { type: 'string' },
    region: { type: 'string' },
    kubeconfig: { type: 'string' },
    'role-arn': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0];
  if (!(COMMANDS as readonly string[]).includes(command ?? '')) {
    throw new UsageError(
      `expected a command, one of ${COMMANDS.join(', ')}; got ${command === undefined ? 'none' : `"${command}"`}\n${USAGE}`,
    );
  }
  if (context.env === undefined && values['cluster-name'] === undefined) {
    throw new UsageError(
      'pick the environment with -c env=NAME (dev, staging, prod, scale), or pass --cluster-name NAME and --region',
    );
  }
  const [profileName] = context.env === undefined ? [] : profilesFromContext(context, []);
  const region =
    (values.region as string | undefined) ?? (profileName ? loadProfile(profileName).env.region : undefined);
  if (region === undefined)
    throw new UsageError('--region is required with --cluster-name when no -c env=NAME is given');
  const client = makeClient(region);

  let clusterName = values['cluster-name'] as string | undefined;
  if (clusterName === undefined) {
    const stacks = await loadStacks(values.assembly as string | undefined, context);
    clusterName = await deployedClusterName(client, region, declaredCluster(stacks));
  }

  switch (command) {
    case 'kubeconfig': {
      const { file, context: name } = await writeKubeconfig(client, {
        clusterName,
        region,
        file: values.kubeconfig as string | undefined,
        roleArn: values['role-arn'] as string | undefined,
      });
      console.log(`Wrote context ${name} to ${file} (current context). Try: kubectl get nodes`);
      return 0;
    }
    case 'status': {
      const result = await clusterStatus(client, clusterName, region);
      console.log(result.lines.join('\n'));
      return result.healthy ? 0 : 1;
    }
    default: {
      const result = await upgradeCheck(client, clusterName, region);
      console.log(result.lines.join('\n'));
      return result.healthy ? 0 : 1;
    }
  }
}

async function loadStacks(assembly: string | undefined, context: Record<string, string>) {
  if (assembly !== undefined) return readAssembly(assembly);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-cluster-'));
  try {
    return readAssembly(await synthesize({ repoDir: path.resolve(__dirname, '..', '..'), outdir: work, context }));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(() => runCluster(process.argv.slice(2)));
