import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { loadProfile, PROFILE_NAMES } from '../../lib/config';
import { parseToolArgs, profilesFromContext, runMain, UsageError } from '../common/args';
import { readAssembly } from '../common/assembly';
import { synthesize } from '../common/synth';
import { describeAwsError } from '../common/aws-errors';
import { estimateCost } from './estimate';
import { loadPriceTable, priceTableFile } from './price-table';
import { refreshPriceTable } from './refresh';
import { estimateOptions, extraChoices } from './profile-inputs';
import { renderCostReport, type ReportFormat } from './report';

const USAGE = `usage: npm run cost -- [-c env=NAME] [--format text|markdown|json] [--refresh]

Estimates the monthly cost of a profile (default prod) from its synthesized templates three ways
(on demand; 1-year no-upfront Reserved / Savings Plans; Spot on the node groups that run Spot),
beside the design document's table. --format json prints { totals: { onDemand, reserved, spot } }
and the rest for CI. --refresh rebuilds the committed price table's on-demand and Reserved rates
from the AWS Price List API (needs AWS credentials; every profile is synthesized to find the types
in use).`;

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
  const format = values.format;
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    throw new UsageError(`--format must be text, markdown or json, got "${String(format)}"`);
  }
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
    const prices = loadPriceTable(profile.env.region);
    const estimate = estimateCost(stacks, prices, estimateOptions(profile));
    console.log(renderCostReport(name, estimate, prices, format as ReportFormat, extraChoices(profile)));
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
