/**
 * Renders every chart of one profile as plain YAML into charts/dist/<env>/, for review and
 * GitOps: `npm run synth:k8s -- -c env=prod`. Deploy-time values are the placeholders in
 * charts/placeholders.ts.
 */
import * as path from 'node:path';
import { renderCoTalkYaml } from '../charts/render';
import { loadProfile } from '../lib/config';

function envArgument(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === '-c' || arg === '--context' ? argv[i + 1] : arg.startsWith('env=') ? arg : undefined;
    if (value?.startsWith('env=')) return value.slice('env='.length);
  }
  return 'dev';
}

const profile = loadProfile(envArgument(process.argv.slice(2)));
const outdir = path.join(__dirname, '..', 'charts', 'dist', profile.name);
const files = renderCoTalkYaml(profile, outdir);
console.log(`wrote ${files.length} files to ${path.relative(process.cwd(), outdir)}/`);
