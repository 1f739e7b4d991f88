import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import type { Profile } from '../lib/config';
import { createCoTalkCharts } from './co-talk-charts';
import { PLACEHOLDERS } from './placeholders';

/**
 * Synthesizes the charts of `profile` with the placeholder values into `outdir` (emptied first,
 * so a removed chart leaves no stale file) and returns the file names written.
 */
export function renderCoTalkYaml(profile: Profile, outdir: string): string[] {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  createCoTalkCharts(app, { profile, ...PLACEHOLDERS });
  app.synth();
  return fs
    .readdirSync(outdir)
    .sort()
    .map((file) => path.join(outdir, file));
}
