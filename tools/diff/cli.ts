import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProfile, PROFILE_NAMES } from '../../lib/config';
import { outputFormat, parseToolArgs, profilesFromContext, runMain } from '../common/args';
import { readAssembly } from '../common/assembly';
import { synthesize } from '../common/synth';
import { estimateCost } from '../cost/estimate';
import { loadPriceTable } from '../cost/price-table';
import { checkoutBase, readRenderedCharts, resolveCommit, synthInputsUnchanged } from './base-checkout';
import { diffObjects, objectsInYaml } from './kubernetes';
import { diffAssemblies } from './diff-assemblies';
import { hazardsOf, type ProfileDiff, renderDiffReport } from './report';

const USAGE = `usage: npm run diff -- [--base REF] [-c env=NAME[,NAME]] [--format text|markdown] [--details] [--allow-stateful-replacement]

Synthesizes the working tree and REF (default main) for every profile (or those given with
-c env=...), offline and without AWS credentials, and shows per profile and stack what changes:
stateful replacements first, then widened access, resources, Kubernetes objects and the cost
delta; --details adds every changed property's old and new value. Exits 1 when a data-holding resource would be replaced or removed, unless
--allow-stateful-replacement is given.`;

async function main(): Promise<number> {
  const { values, context } = parseToolArgs(process.argv.slice(2), {
    base: { type: 'string', default: 'main' },
    format: { type: 'string', default: 'text' },
    'allow-stateful-replacement': { type: 'boolean', default: false },
    details: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = outputFormat(values.format);
  const profiles = profilesFromContext(context, PROFILE_NAMES);
  const repoDir = path.resolve(__dirname, '..', '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-diff-'));
  const sha = resolveCommit(repoDir, values.base as string);
  // When only tests, tools, workflows or docs changed, both sides synthesize alike: skip the base.
  const base = synthInputsUnchanged(repoDir, sha) ? undefined : checkoutBase(repoDir, sha, work);
  if (!base)
    console.error(`Nothing synth reads differs from ${values.base as string}: the base is not synthesized again.`);
  try {
    const results: ProfileDiff[] = [];
    for (const name of profiles) {
      const synthContext = { ...context, env: name };
      // The two revisions synthesize side by side: two processes, one per core.
      const [beforeDir, afterDir] = await Promise.all([
        base
          ? synthesize({ repoDir: base.dir, outdir: path.join(work, `before-${name}`), context: synthContext })
          : undefined,
        synthesize({ repoDir, outdir: path.join(work, `after-${name}`), context: synthContext }),
      ]);
      const after = readAssembly(afterDir);
      const before = beforeDir ? readAssembly(beforeDir) : after;
      const prices = loadPriceTable(loadProfile(name).env.region);
      results.push({
        profile: name,
        stacks: diffAssemblies(before, after),
        cost: { before: estimateCost(before, prices), after: estimateCost(after, prices) },
      });
    }
    const charts = diffObjects(
      objectsInYaml(readRenderedCharts(base?.dir ?? repoDir)),
      objectsInYaml(readRenderedCharts(repoDir)),
    );
    const report = {
      base: `${values.base as string} (${sha.slice(0, 12)})`,
      head: 'working tree',
      profiles: results,
      charts,
      allowStateful: values['allow-stateful-replacement'] as boolean,
      details: values.details as boolean,
    };
    process.stdout.write(renderDiffReport(report, format));
    return hazardsOf(report).length > 0 && !report.allowStateful ? 1 : 0;
  } finally {
    base?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
