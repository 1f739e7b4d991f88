import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { runCluster } from '../../tools/cluster/cli';
import { createEksClient } from '../../tools/cluster/eks';
import { declaredCluster, deployedClusterName } from '../../tools/cluster/find-cluster';
import { writeKubeconfig } from '../../tools/cluster/kubeconfig';
import { clusterStatus } from '../../tools/cluster/status';
import { nextMinor, upgradeCheck } from '../../tools/cluster/upgrade-check';
import { synthFixture } from './fixture-app';

const eks = mockClient(EKSClient);
const client = () => new EKSClient({ region: 'ap-northeast-2' });
const ARN = 'arn:aws:eks:ap-northeast-2:333333333333:cluster/chat-prod';
const ACTIVE_CLUSTER = {
  name: 'chat-prod',
  arn: ARN,
  status: 'ACTIVE' as const,
  version: '1.36',
  platformVersion: 'eks.3',
  endpoint: 'https://ABC.gr7.ap-northeast-2.eks.amazonaws.com',
  certificateAuthority: { data: 'LS0tQ0VSVA==' },
  resourcesVpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
};

function awsError(name: string, message: string, attempts?: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { attempts } });
}

beforeEach(() => {
  eks.reset();
  eks.on(DescribeClusterCommand).resolves({ cluster: ACTIVE_CLUSTER });
  eks.on(ListNodegroupsCommand).resolves({ nodegroups: ['gateway', 'api'] });
  eks.on(DescribeNodegroupCommand).callsFake((input: { nodegroupName: string }) => ({
    nodegroup: {
      nodegroupName: input.nodegroupName,
      status: 'ACTIVE',
      version: '1.36',
      instanceTypes: ['c7i.4xlarge'],
      capacityType: 'ON_DEMAND',
      scalingConfig: { minSize: 10, desiredSize: 10, maxSize: 20 },
      health: { issues: [] },
    },
  }));
  eks.on(ListAddonsCommand).resolves({ addons: ['vpc-cni', 'coredns'] });
  eks.on(DescribeAddonCommand).callsFake((input: { addonName: string }) => ({
    addon: {
      addonName: input.addonName,
      status: 'ACTIVE',
      addonVersion: input.addonName === 'vpc-cni' ? 'v1.20.0-eksbuild.1' : 'v1.12.1-eksbuild.2',
    },
  }));
});

describe('createEksClient', () => {
  test('retries throttling adaptively, six attempts', async () => {
    const c = createEksClient('ap-northeast-2');
    expect(await c.config.maxAttempts()).toBe(6);
    const mode = c.config.retryMode;
    expect(typeof mode === 'string' ? mode : await mode()).toBe('adaptive');
    expect(await c.config.region()).toBe('ap-northeast-2');
  });
});

describe('finding the cluster', () => {
  const stacks = synthFixture();

  test('the synthesized app declares one cluster, with a generated name', () => {
    expect(declaredCluster(stacks)).toEqual({
      stackName: 'Cluster',
      logicalId: expect.stringMatching(/^Cluster/),
      name: undefined,
    });
  });

  test('the deployed name comes from the CloudFormation tags of the cluster', async () => {
    const declared = declaredCluster(stacks);
    eks.on(ListClustersCommand).resolves({ clusters: ['other', 'Cluster-abc123'] });
    eks.on(DescribeClusterCommand, { name: 'other' }).resolves({ cluster: { name: 'other', tags: {} } });
    eks.on(DescribeClusterCommand, { name: 'Cluster-abc123' }).resolves({
      cluster: {
        name: 'Cluster-abc123',
        tags: { 'aws:cloudformation:stack-name': 'Cluster', 'aws:cloudformation:logical-id': declared.logicalId },
      },
    });
    await expect(deployedClusterName(client(), 'ap-northeast-2', declared)).resolves.toBe('Cluster-abc123');
  });

  test('an undeployed profile says so and offers --cluster-name', async () => {
    eks.on(ListClustersCommand).resolves({ clusters: [] });
    await expect(deployedClusterName(client(), 'ap-northeast-2', declaredCluster(stacks))).rejects.toThrow(
      /No EKS cluster in ap-northeast-2 was created by stack Cluster .*Pass --cluster-name NAME/,
    );
  });

  test('an app without a cluster asks for --cluster-name', () => {
    expect(() => declaredCluster(stacks.filter((s) => s.id !== 'Cluster'))).toThrow(
      /has no EKS cluster; pass --cluster-name/,
    );
  });
});

describe('kubeconfig', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-kube-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes an exec entry for aws eks get-token, keeps other clusters and switches context', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: https://other}\ncontexts:\n- name: other\n  context: {cluster: other, user: other}\ncurrent-context: other\n',
    );
    await writeKubeconfig(client(), {
      clusterName: 'chat-prod',
      region: 'ap-northeast-2',
      file,
      roleArn: 'arn:aws:iam::333333333333:role/Admin',
    });
    const config = parse(fs.readFileSync(file, 'utf8'));
    expect(config['current-context']).toBe(ARN);
    expect(config.clusters.map((c: { name: string }) => c.name)).toEqual(['other', ARN]);
    expect(config.clusters[1].cluster).toEqual({
      server: ACTIVE_CLUSTER.endpoint,
      'certificate-authority-data': 'LS0tQ0VSVA==',
    });
    expect(config.users[0].user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: [
        '--region',
        'ap-northeast-2',
        'eks',
        'get-token',
        '--cluster-name',
        'chat-prod',
        '--output',
        'json',
        '--role-arn',
        'arn:aws:iam::333333333333:role/Admin',
      ],
    });
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  test('a cluster still creating has no endpoint to write', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'chat-prod', status: 'CREATING' } });
    await expect(
      writeKubeconfig(client(), { clusterName: 'chat-prod', region: 'ap-northeast-2', file: path.join(dir, 'c') }),
    ).rejects.toThrow('Cluster "chat-prod" has no endpoint yet (status CREATING); wait until it is ACTIVE.');
  });
});

describe('status', () => {
  test('a healthy cluster lists node groups and add-ons', async () => {
    const result = await clusterStatus(client(), 'chat-prod', 'ap-northeast-2');
    expect(result.healthy).toBe(true);
    expect(result.lines[0]).toBe(
      'Cluster chat-prod (ap-northeast-2): ACTIVE, Kubernetes 1.36 (eks.3), endpoint private',
    );
    expect(result.lines).toContain(
      '  gateway: ACTIVE, c7i.4xlarge ON_DEMAND, desired 10 (min 10, max 20), Kubernetes 1.36, release ?',
    );
    expect(result.lines).toContain('  vpc-cni: ACTIVE, v1.20.0-eksbuild.1');
  });

  test('a node group health issue makes it unhealthy and is shown', async () => {
    eks.on(DescribeNodegroupCommand, { nodegroupName: 'api' }).resolves({
      nodegroup: {
        status: 'DEGRADED',
        version: '1.35',
        health: { issues: [{ code: 'AsgInstanceLaunchFailures', message: 'no capacity', resourceIds: ['asg-1'] }] },
      },
    });
    const result = await clusterStatus(client(), 'chat-prod', 'ap-northeast-2');
    expect(result.healthy).toBe(false);
    expect(result.lines).toContain('    ! runs 1.35, the control plane 1.36: update the node group');
    expect(result.lines).toContain('    ! AsgInstanceLaunchFailures: no capacity (asg-1)');
  });
});

describe('upgrade-check', () => {
  beforeEach(() => {
    eks.on(ListInsightsCommand).resolves({
      insights: [
        {
          id: 'i-1',
          name: 'Deprecated APIs removed in Kubernetes v1.37',
          insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected' },
        },
        { id: 'i-2', name: 'Kubelet version skew', insightStatus: { status: 'PASSING' } },
      ],
    });
    eks.on(DescribeInsightCommand, { id: 'i-1' }).resolves({
      insight: {
        recommendation: 'Update manifests and clients to use newer Kubernetes APIs',
        categorySpecificSummary: {
          deprecationDetails: [
            {
              usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
              replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
              stopServingVersion: '1.37',
              clientStats: [{ userAgent: 'kube-prometheus', numberOfRequestsLast30Days: 42 }],
            },
          ],
        },
      },
    });
    eks.on(DescribeAddonVersionsCommand, { addonName: 'vpc-cni' }).resolves({
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: [
            { addonVersion: 'v1.20.0-eksbuild.1', compatibilities: [{ clusterVersion: '1.37', defaultVersion: true }] },
          ],
        },
      ],
    });
    eks.on(DescribeAddonVersionsCommand, { addonName: 'coredns' }).resolves({
      addons: [
        {
          addonName: 'coredns',
          addonVersions: [
            { addonVersion: 'v1.13.0-eksbuild.1', compatibilities: [{ clusterVersion: '1.37', defaultVersion: true }] },
          ],
        },
      ],
    });
  });

  test('asks for insights of the next minor and details those not passing', async () => {
    const result = await upgradeCheck(client(), 'chat-prod', 'ap-northeast-2');
    expect(eks.commandCalls(ListInsightsCommand)[0].args[0].input).toEqual({
      clusterName: 'chat-prod',
      filter: { categories: ['UPGRADE_READINESS'], kubernetesVersions: ['1.37'] },
    });
    expect(eks.commandCalls(DescribeInsightCommand).map((c) => c.args[0].input.id)).toEqual(['i-1']);
    expect(result.lines).toContain(
      '    /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas -> /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas (stops serving in 1.37); callers: kube-prometheus (42 requests in 30 days)',
    );
    expect(result.healthy).toBe(false);
  });

  test('lists the add-on versions compatible with the next minor', async () => {
    const result = await upgradeCheck(client(), 'chat-prod', 'ap-northeast-2');
    expect(eks.commandCalls(DescribeAddonVersionsCommand).map((c) => c.args[0].input)).toEqual([
      { addonName: 'coredns', kubernetesVersion: '1.37' },
      { addonName: 'vpc-cni', kubernetesVersion: '1.37' },
    ]);
    expect(result.lines).toContain(
      '  vpc-cni v1.20.0-eksbuild.1: compatible with 1.37 (default there: v1.20.0-eksbuild.1)',
    );
    expect(result.lines).toContain(
      '  coredns v1.12.1-eksbuild.2: NOT compatible with 1.37; update to one of v1.13.0-eksbuild.1 (default: v1.13.0-eksbuild.1) before upgrading',
    );
  });

  test('next minor of a version', () => {
    expect(nextMinor('1.36')).toBe('1.37');
    expect(() => nextMinor('v1')).toThrow('Cannot read the cluster\'s Kubernetes version "v1" (expected major.minor)');
  });
});

describe('errors, through the command line', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());
  const run = (...argv: string[]) => runCluster(argv, client);

  test.each([
    [
      'no credentials',
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /No AWS credentials found for EKS in ap-northeast-2\. Sign in first \(aws sso login/,
    ],
    [
      'no such cluster',
      new ResourceNotFoundException({ message: 'No cluster found for name: chat-prod.', $metadata: {} }),
      /No EKS cluster named "chat-prod" in ap-northeast-2 .*aws eks list-clusters --region ap-northeast-2/,
    ],
    [
      'throttling after the retries',
      awsError('ThrottlingException', 'Rate exceeded', 6),
      /EKS in ap-northeast-2 kept throttling the requests \(gave up after 6 attempts with backoff\)/,
    ],
    [
      'access denied',
      awsError('AccessDeniedException', 'not authorized to perform eks:DescribeCluster'),
      /Access denied by EKS in ap-northeast-2: not authorized to perform eks:DescribeCluster/,
    ],
  ])('%s gives one clear message', async (_case, error, message) => {
    eks.on(DescribeClusterCommand).rejects(error);
    for (const command of ['status', 'upgrade-check', 'kubeconfig']) {
      await expect(
        run(
          command,
          '--cluster-name',
          'chat-prod',
          '--region',
          'ap-northeast-2',
          '--kubeconfig',
          path.join(os.tmpdir(), 'unused'),
        ),
      ).rejects.toThrow(message);
    }
  });

  test('status exits 1 when not healthy, 0 when healthy', async () => {
    await expect(run('status', '--cluster-name', 'chat-prod', '-c', 'env=prod')).resolves.toBe(0);
    eks.on(DescribeAddonCommand, { addonName: 'coredns' }).resolves({
      addon: {
        status: 'DEGRADED',
        addonVersion: 'x',
        health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: '0/2' }] },
      },
    });
    await expect(run('status', '--cluster-name', 'chat-prod', '-c', 'env=prod')).resolves.toBe(1);
    expect(out.join('\n')).toContain('    ! InsufficientNumberOfReplicas: 0/2');
  });

  test('bad usage names the allowed commands and profiles', async () => {
    await expect(run('restart', '-c', 'env=prod')).rejects.toThrow(
      /expected a command, one of kubeconfig, status, upgrade-check; got "restart"/,
    );
    await expect(run('status', '-c', 'env=qa')).rejects.toThrow(
      'Unknown profile "qa" given with -c env=...: allowed values are dev, staging, prod, scale',
    );
    await expect(run('status')).rejects.toThrow(/pick the environment with -c env=NAME/);
  });
});
