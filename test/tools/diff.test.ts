import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App as Cdk8sApp, Chart } from 'cdk8s';
import { estimateCost } from '../../tools/cost/estimate';
import { loadPriceTable } from '../../tools/cost/price-table';
import { checkoutBase, readRenderedCharts, resolveCommit, synthInputsUnchanged } from '../../tools/diff/base-checkout';
import { diffAssemblies } from '../../tools/diff/diff-assemblies';
import { diffObjects, objectsInYaml } from '../../tools/diff/kubernetes';
import { type DiffReport, hazardsOf, renderDiffReport } from '../../tools/diff/report';
import { synthFixture } from './fixture-app';

const prices = loadPriceTable('ap-northeast-2');
const base = synthFixture();

function reportFor(after: ReturnType<typeof synthFixture>, allowStateful = false): DiffReport {
  return {
    base: 'main',
    head: 'working tree',
    profiles: [
      {
        profile: 'prod',
        stacks: diffAssemblies(base, after),
        cost: { before: estimateCost(base, prices), after: estimateCost(after, prices) },
      },
    ],
    charts: [],
    allowStateful,
  };
}

describe('diffAssemblies', () => {
  test('two syntheses of the same app differ in nothing', () => {
    expect(diffAssemblies(base, synthFixture())).toEqual([]);
  });

  test('a replaced database is a stateful hazard naming the property that replaces it', () => {
    const [data] = diffAssemblies(base, synthFixture({ dbInstanceIdentifier: 'chat-db-v2' }));
    expect(data.stack).toBe('Data');
    expect(data.hazards).toEqual([
      expect.objectContaining({
        path: 'Data/Database/Resource',
        type: 'AWS::RDS::DBInstance',
        kind: 'replaced',
        properties: ['DBInstanceIdentifier (replaces)'],
        stateful: true,
      }),
    ]);
  });

  // A size change within a tier's ceiling: the database class changes in place (a reboot, no new
  // instance), while a managed node group's instance types replace the node group.
  test('a larger database class within its ceiling is an in-place update, not a hazard', () => {
    const [data] = diffAssemblies(base, synthFixture({ dbInstanceClass: 'db.m7g.xlarge' }));
    expect(data.resources).toEqual([
      expect.objectContaining({
        path: 'Data/Database/Resource',
        kind: 'updated',
        properties: ['DBInstanceClass'],
        // Flagged only when a data store is replaced or removed.
        stateful: false,
      }),
    ]);
    expect(data.hazards).toEqual([]);
  });

  test('a larger node size replaces the node group (new nodes, drained old ones), which holds no data', () => {
    const [cluster] = diffAssemblies(base, synthFixture({ gatewayInstanceType: 'c7i.2xlarge' }));
    expect(cluster.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'Cluster/Cluster/NodegroupGateway/Resource',
          type: 'AWS::EKS::Nodegroup',
          kind: 'replaced',
          properties: ['InstanceTypes (replaces)'],
          stateful: false,
        }),
      ]),
    );
    expect(cluster.hazards).toEqual([]);
  });

  test('a removed cache is a stateful hazard; its removed subnet group is not', () => {
    const [data] = diffAssemblies(base, synthFixture({ withCache: false }));
    expect(data.resources.map((r) => [r.type, r.kind, r.stateful])).toEqual(
      expect.arrayContaining([
        ['AWS::ElastiCache::ReplicationGroup', 'removed', true],
        ['AWS::ElastiCache::SubnetGroup', 'removed', false],
      ]),
    );
    expect(data.hazards).toHaveLength(1);
  });

  test('a broader IAM grant is reported as widening access', () => {
    const [cluster] = diffAssemblies(base, synthFixture({ broadGrant: true }));
    expect(cluster.widens).toBe(true);
    expect(cluster.iam).toContainEqual(['+', '*', 'Allow', 's3:*', expect.stringContaining('NodeGroupRole'), '']);
  });

  test('a security-group rule open to the internet is reported with its port and peer', () => {
    const [network] = diffAssemblies(base, synthFixture({ openToInternet: true }));
    expect(network.widens).toBe(true);
    expect(network.securityGroups).toEqual([
      ['+', expect.stringContaining('WorkloadSecurityGroup'), 'In', 'TCP 5432', 'Everyone (IPv4)'],
    ]);
    expect(network.hazards).toEqual([]);
  });

  test('a changed Kubernetes manifest gives a per-object YAML diff', () => {
    const [cluster] = diffAssemblies(base, synthFixture({ gatewayReplicas: 4 }));
    expect(cluster.kubernetes).toHaveLength(1);
    expect(cluster.kubernetes[0]).toMatchObject({ key: 'Deployment chat/gateway', change: 'updated' });
    expect(cluster.kubernetes[0].patch).toContain('-  replicas: 2\n+  replicas: 4');
  });
});

test('a changed Helm value gives a diff of the release values', () => {
  const [cluster] = diffAssemblies(base, synthFixture({ metricsServerReplicas: 2 }));
  expect(cluster.kubernetes.map((d) => [d.key, d.change])).toEqual([
    ['HelmRelease kube-system/clusterchartmetricsserverd96fd6fe', 'updated'],
  ]);
  expect(cluster.kubernetes[0].patch).toContain('-  replicas: 1\n+  replicas: 2');
});

describe('renderDiffReport', () => {
  test('stateful replacements come first and loudly, in Markdown for a PR comment', () => {
    const report = reportFor(synthFixture({ dbInstanceIdentifier: 'chat-db-v2', broadGrant: true }));
    const md = renderDiffReport(report, 'markdown');
    expect(hazardsOf(report)).toHaveLength(1);
    expect(md.indexOf('[!CAUTION]')).toBeGreaterThan(-1);
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('#### Stack'));
    expect(md).toContain(
      '| prod | Data | Data/Database/Resource | AWS::RDS::DBInstance | REPLACED | DBInstanceIdentifier (replaces) |',
    );
    expect(md).toContain('**Access WIDENS**');
    // Access changes are listed before the resource table of the same stack.
    const cluster = md.slice(md.indexOf('#### Stack `Cluster`'));
    expect(cluster.indexOf('s3:*')).toBeLessThan(cluster.indexOf('Resources:'));
  });

  test('the text report says when the replacement was allowed', () => {
    const text = renderDiffReport(reportFor(synthFixture({ withCache: false }), true), 'text');
    expect(text).toContain(
      '!!! 1 STATEFUL RESOURCE(S) WOULD BE REPLACED OR REMOVED: DATA LOSS !!! (allowed with --allow-stateful-replacement)',
    );
  });

  test('the cost delta of a change is shown per category', () => {
    const text = renderDiffReport(reportFor(synthFixture({ gatewayNodes: 5 })), 'text');
    // Two more c7i.xlarge nodes: 2 x 0.2016 x 730 = $294, plus 2 x 50 GiB gp3 = $9.
    expect(text).toMatch(/EC2 \(node groups, instances\)\s+\$442\s+\$736\s+\+\$294/);
    expect(text).toMatch(/EBS volumes\s+\$14\s+\$23\s+\+\$9/);
  });

  test('--details adds the property-level rendering of the diff library', () => {
    const report = { ...reportFor(synthFixture({ gatewayNodes: 5 })), details: true };
    const text = renderDiffReport(report, 'text');
    expect(text).toMatch(/\[~\] AWS::EKS::Nodegroup .*NodegroupGateway/);
    expect(text).toMatch(/DesiredSize[\s\S]*\[-\] 3[\s\S]*\[\+\] 5/);
    expect(renderDiffReport({ ...report, details: false }, 'text')).not.toContain('[-] 3');
  });

  test('a Markdown report too big for a PR comment summarizes the stacks past the budget', () => {
    const one = reportFor(synthFixture({ broadGrant: true, gatewayReplicas: 4, openToInternet: true }));
    const many = { ...one, profiles: Array.from({ length: 60 }, (_, i) => ({ ...one.profiles[0], profile: `p${i}` })) };
    const md = renderDiffReport(many, 'markdown');
    expect(md.length).toBeLessThan(65_536);
    expect(md).toContain(
      '(summarized to fit the comment; run `npm run diff` for the whole diff): 1 added, 1 access change(s), WIDENING, 1 Kubernetes object(s)',
    );
    // The text report is never cut.
    expect(renderDiffReport(many, 'text')).not.toContain('summarized');
  });

  test('no change says so', () => {
    expect(renderDiffReport(reportFor(synthFixture()), 'text')).toContain('No changes.');
  });
});

describe('rendered chart YAML', () => {
  function render(replicas: number, withService: boolean): Map<string, string> {
    const app = new Cdk8sApp();
    const chart = new Chart(app, 'Gateway', { namespace: 'chat' });
    new ApiObject(chart, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gateway' },
      spec: { replicas },
    });
    if (withService)
      new ApiObject(chart, 'Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'gateway' }, spec: {} });
    return new Map([['charts/dist/prod/gateway.k8s.yaml', app.synthYaml()]]);
  }

  test('each added, removed or updated object gets its own diff', () => {
    const diffs = diffObjects(objectsInYaml(render(3, true)), objectsInYaml(render(5, false)));
    expect(diffs.map((d) => [d.key, d.change])).toEqual([
      ['prod: Deployment chat/gateway', 'updated'],
      ['prod: Service chat/gateway', 'removed'],
    ]);
    expect(diffs[0].patch).toContain('-  replicas: 3\n+  replicas: 5');
  });
});

describe('checkoutBase', () => {
  let repo: string;
  let parent: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-repo-'));
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-parent-'));
    git('init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3}\n');
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\ncharts/dist/dev/\n');
    fs.mkdirSync(path.join(repo, 'charts', 'dist'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'charts', 'dist', 'a.k8s.yaml'), 'kind: ConfigMap\nmetadata:\n  name: a\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
    fs.mkdirSync(path.join(repo, 'node_modules', 'dep'), { recursive: true });
  });

  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(parent, { recursive: true, force: true });
  });

  test('an unchanged lock file reuses node_modules, and dispose removes the worktree', () => {
    const checkout = checkoutBase(repo, 'main', parent);
    expect(checkout.dependencies).toEqual(['.: reused']);
    expect(fs.lstatSync(path.join(checkout.dir, 'node_modules')).isSymbolicLink()).toBe(true);
    expect([...readRenderedCharts(checkout.dir).keys()]).toEqual(['charts/dist/a.k8s.yaml']);
    // YAML rendered for an ignored profile is not compared; a new, unignored file is.
    fs.mkdirSync(path.join(repo, 'charts', 'dist', 'dev'));
    fs.writeFileSync(path.join(repo, 'charts', 'dist', 'dev', 'a.k8s.yaml'), 'kind: ConfigMap\n');
    fs.writeFileSync(path.join(repo, 'charts', 'dist', 'b.k8s.yaml'), 'kind: ConfigMap\n');
    expect([...readRenderedCharts(repo).keys()]).toEqual(['charts/dist/a.k8s.yaml', 'charts/dist/b.k8s.yaml']);
    checkout.dispose();
    expect(fs.existsSync(checkout.dir)).toBe(false);
    expect(git('worktree', 'list').toString().trim().split('\n')).toHaveLength(1);
  });

  test('changes to tests, tools, workflows or docs leave the synth inputs unchanged; anything else does not', () => {
    const sha = resolveCommit(repo, 'main');
    expect(synthInputsUnchanged(repo, sha)).toBe(true);
    fs.mkdirSync(path.join(repo, 'tools'));
    fs.writeFileSync(path.join(repo, 'tools', 'new.ts'), 'export {};\n');
    fs.writeFileSync(path.join(repo, 'NOTES.md'), 'notes\n');
    expect(synthInputsUnchanged(repo, sha)).toBe(true);
    fs.mkdirSync(path.join(repo, 'lib'));
    fs.writeFileSync(path.join(repo, 'lib', 'stack.ts'), 'export {};\n');
    expect(synthInputsUnchanged(repo, sha)).toBe(false); // untracked source
    fs.rmSync(path.join(repo, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3,"changed":true}\n');
    expect(synthInputsUnchanged(repo, sha)).toBe(false); // tracked change
  });

  test('an unknown ref names the flag and what to pass', () => {
    expect(() => checkoutBase(repo, 'no-such-branch', parent)).toThrow(
      '--base "no-such-branch" is not a commit, branch or tag in this repository (try main, origin/main or a SHA)',
    );
  });
});
