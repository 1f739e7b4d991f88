import { evaluateCapacity } from '../../lib/capacity';
import { loadProfile } from '../../lib/config';
import { parseToolArgs, profilesFromContext, runMain, UsageError } from '../common/args';
import { renderCapacityReport, type CapacityFormat } from './report';

const USAGE = `usage: npm run capacity -- [-c env=NAME] [--format text|markdown|json]

Evaluates the connection capacity model (lib/capacity) of a profile (default prod): every limit
between a client and a gateway process, per server and in total, the binding one, the headroom
against the profile's target, and the same for a server at the brief's vertical size. Exits 1 when
the profile cannot carry its target (synth fails the same way).`;

function capacityFormat(value: unknown): CapacityFormat {
  if (value === 'text' || value === 'markdown' || value === 'json') return value;
  throw new UsageError(`--format must be text, markdown or json, got "${String(value)}"`);
}

async function main(): Promise<number> {
  const { values, context } = parseToolArgs(process.argv.slice(2), {
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = capacityFormat(values.format);
  const names = profilesFromContext(context, ['prod']);
  let code = 0;
  for (const name of names) {
    const report = evaluateCapacity(loadProfile(name));
    process.stdout.write(renderCapacityReport(report, format));
    if (report.failures.length > 0) code = 1;
  }
  return code;
}

if (require.main === module) runMain(main);
