import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { PROFILE_NAMES } from '../../lib/config';

const dir = path.resolve(__dirname, '..', '..', '.github', 'workflows');
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}
const jobs = (file: string) => (parse(text(file)) as { jobs: Record<string, Job> }).jobs;
const allRuns = (file: string) =>
  Object.values(jobs(file))
    .flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''))
    .join('\n');

describe('GitHub workflows', () => {
  test('there are the check, pull-request and main workflows', () => {
    expect(files).toEqual(['check.yml', 'main.yml', 'pull-request.yml']);
  });

  test.each(files)('%s passes the workflow schema of action-validator', (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  test('the validator is not a no-op: it rejects a job without runs-on and a step with both uses and run', () => {
    const bad = 'on: push\njobs:\n  x:\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n';
    expect(validateWorkflow(bad).errors.length).toBeGreaterThan(0);
  });

  test.each(files)('%s pins every action to a full commit SHA and holds no long-lived AWS key', (file) => {
    const uses = Object.values(jobs(file)).flatMap((j) => (j.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])));
    for (const ref of uses) expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(text(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
  });

  test('the checks type-check, lint, test and synthesize every profile', () => {
    const runs = allRuns('check.yml');
    for (const script of ['npm run typecheck', 'npm run lint', 'npm run format:check', 'npm test'])
      expect(runs).toContain(script);
    expect(runs).toContain(`for env in ${PROFILE_NAMES.join(' ')}; do`);
    expect(runs).toContain('npx cdk synth --quiet --no-notices -c env="$env"');
  });

  test('pull requests run the checks, then post the diff and the cost report', () => {
    const pr = jobs('pull-request.yml');
    expect(pr.check.uses).toBe('./.github/workflows/check.yml');
    expect(pr.report.needs).toBe('check');
    expect(pr.report.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const runs = allRuns('pull-request.yml');
    expect(runs).toContain('npm run --silent diff -- --base "$BASE_REF" --format markdown');
    expect(runs).toContain('npm run --silent cost -- -c env=prod --format markdown');
    expect(runs).toContain('gh pr comment');
  });

  test('main deploys staging, then prod behind the production environment, through OIDC roles', () => {
    const main = jobs('main.yml');
    expect(main.staging).toMatchObject({ needs: 'check', environment: 'staging' });
    expect(main.prod).toMatchObject({ needs: 'staging', environment: 'production' });
    for (const job of [main.staging, main.prod]) {
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const credentials = job.steps?.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(credentials?.with).toMatchObject({
        'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
        'aws-region': 'ap-northeast-2',
      });
      const runs = (job.steps ?? []).map((s) => s.run ?? '');
      expect(runs).toContain('npx cdk publish-assets --app cdk.out --all --no-notices');
      expect(runs).toContain(
        'npx cdk deploy --app cdk.out --all --require-approval never --no-notices --concurrency 2',
      );
    }
    expect(main.staging.steps?.map((s) => s.run)).toContain(
      'npx cdk synth --quiet --no-notices -c env=staging -o cdk.out',
    );
    expect(main.prod.steps?.map((s) => s.run)).toContain('npx cdk synth --quiet --no-notices -c env=prod -o cdk.out');
  });
});
