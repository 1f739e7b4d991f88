import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { loadProfile, PROFILE_NAMES } from '../../lib/config';
import { outputFormat, parseToolArgs, profilesFromContext, runMain } from '../common/args';
import { readAssembly } from '../common/assembly';
import { synthesize } from '../common/synth';
import { describeAwsError } from '../common/aws-errors';
import { estimateCost } from './estimate';
import { loadPriceTable, priceTableFile } from './price-table';
import { refreshPriceTable } from './refresh';
import { renderCostReport, type ReportFormat } from './report';

const USAGE = `usage: npm run cost -- [-c env=NAME] [--format text|markdown] [--refresh]

Estimates the monthly on-demand cost of a profile (default prod) from its synthesized templates,
beside the design document's table. --refresh rebuilds the committed price table from the AWS
Price List API (needs AWS credentials; every profile is synthesized to find the types in use).`;

async function main(): Promise<number> {
  const { values, context } = parseToolArgs(process.argv.slice(2), {
    format: { type: 'string', default: 'text' },
    refresh: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = outputFormat(values.format);
  const repoDir = path.resolve(__dirname, '..', '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-cost-'));
  try {
    if (values.refresh) {
      const names = profilesFromContext(context, PROFILE_NAMES);
      const region = loadProfile(names[0]).env.region;
      const missing = [];
      for (const name of names) {
        const stacks = readAssembly(
          await synthesize({ repoDir, outdir: path.join(work, name), context: { ...context, env: name } }),
        );
        missing.push(...estimateCost(stacks, loadPriceTable(region)).unpriced);
      }
      const client = new PricingClient({ region: 'us-east-1', maxAttempts: 6, retryMode: 'adaptive' });
      const today = new Date().toISOString().slice(0, 10);
      const result = await refreshPriceTable(client, loadPriceTable(region), missing, today).catch((error: unknown) => {
        throw new Error(describeAwsError(error, 'the AWS Price List API'));
      });
      fs.writeFileSync(priceTableFile(region), `${JSON.stringify(result.table, null, 2)}\n`);
      console.log(`Wrote ${path.relative(process.cwd(), priceTableFile(region))} (priced on ${today}).`);
      if (result.kept.length > 0)
        console.log(`Kept previous values (not found in the Price List API):\n  ${result.kept.join('\n  ')}`);
      return 0;
    }
    const [name] = profilesFromContext(context, ['prod']);
    const profile = loadProfile(name);
    const stacks = readAssembly(
      await synthesize({ repoDir, outdir: path.join(work, name), context: { ...context, env: name } }),
    );
    const estimate = estimateCost(stacks, loadPriceTable(profile.env.region));
    console.log(renderCostReport(name, estimate, loadPriceTable(profile.env.region), format as ReportFormat));
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
