import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { evaluateCapacity } from '../../lib/capacity';
import { loadProfile } from '../../lib/config';
import { capacityJson, renderCapacityReport } from '../../tools/capacity/report';

const root = join(__dirname, '..', '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'tools/capacity/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('npm run capacity', () => {
  test('--format json: the figures, and every limit with its name, per-server figure and source', () => {
    const result = cli('-c', 'env=prod', '--format', 'json');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    const report = evaluateCapacity(loadProfile('prod'));
    expect(json).toMatchObject({
      profile: 'prod',
      targetConnections: 1_000_000,
      perServerConnections: report.perServerConnections,
      totalConnections: report.perServerConnections * 10,
      ceilingPerServerConnections: report.ceilingPerServerConnections,
      binding: report.binding,
      failures: [],
    });
    expect(json.limits).toEqual(
      report.limits.map((l) => ({
        name: l.name,
        perServer: l.perServer === null ? null : Math.floor(l.perServer),
        ok: l.ok,
        checked: l.checked,
        detail: l.detail,
        source: l.source,
      })),
    );
    expect(json.limits.map((l: { name: string }) => l.name)).toEqual(
      expect.arrayContaining([
        'nlb-per-target',
        'conntrack',
        'file-descriptors',
        'memory',
        'heartbeat-vs-idle-timeout',
      ]),
    );
  });

  test('text and markdown name the binding limit, the headroom and the ceiling', () => {
    const report = evaluateCapacity(loadProfile('prod'));
    const text = renderCapacityReport(report, 'text');
    expect(text).toContain(`(binding: ${report.binding})`);
    expect(text).toMatch(/headroom \+\d+ % against the target/);
    expect(text).toContain("A server at the vertical ceiling: 16 vCPU / 32 GB (the brief's vertical size)");
    expect(text).toContain('The profile carries its target.');
    const markdown = renderCapacityReport(report, 'markdown');
    expect(markdown).toContain('| limit | per server | total | status | numbers | source |');
    expect(markdown).toMatch(/\| memory \| 675,595 \| 6,755,95\d \| binding \|/);
    expect(capacityJson(report)).toHaveProperty('ceiling.binding', report.ceiling.binding);
  });

  test('a bad --format or profile is a usage error (exit 2) naming the allowed values', () => {
    const format = cli('--format', 'yaml');
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format must be text, markdown or json, got "yaml"');
    const profile = cli('-c', 'env=qa');
    expect(profile.status).toBe(2);
    expect(profile.stderr).toContain('allowed values are dev, staging, prod, scale');
  });

  test('the npm script runs the tool', () => {
    const out = execFileSync('npm', ['run', '-s', 'capacity', '--', '-c', 'env=dev'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^Connection capacity of "dev"/);
  });
});
