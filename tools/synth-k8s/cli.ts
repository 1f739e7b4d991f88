/**
 * Renders every chart of a profile as plain YAML into charts/dist/<env>/, for review and GitOps:
 * `npm run synth:k8s -- -c env=prod` (default dev; `-c env=a,b` for several). Deploy-time values
 * are the placeholders in charts/placeholders.ts.
 */
import * as path from 'node:path';
import { renderCoTalkYaml } from '../../charts/render';
import { loadProfile } from '../../lib/config';
import { parseToolArgs, profilesFromContext, runMain } from '../common/args';

async function main(): Promise<number> {
  const { context } = parseToolArgs(process.argv.slice(2), {});
  for (const name of profilesFromContext(context, ['dev'])) {
    const profile = loadProfile(name);
    const outdir = path.join(__dirname, '..', '..', 'charts', 'dist', profile.name);
    const files = renderCoTalkYaml(profile, outdir);
    console.log(`wrote ${files.length} files to ${path.relative(process.cwd(), outdir)}/`);
  }
  return 0;
}

runMain(main);
