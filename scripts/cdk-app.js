#!/usr/bin/env node
/**
 * The command `cdk.json` runs as the CDK app: bundles `bin/co-talk.ts` and the repository code
 * it imports with esbuild (packages stay external and load from node_modules), then runs it.
 *
 * Bundling takes well under a second and does no type-checking (that is `npm run typecheck`),
 * so synth pays neither for a TypeScript compiler in the loop nor for a stale `build/`. The
 * bundle is reused while none of its inputs has changed since it was built.
 *
 * The CDK's built-in CloudFormation validation is off unless asked for (`CDK_VALIDATION=true
 * npx cdk synth`): it took a third of a synth's time and most of its memory. The tests run it on
 * every profile (test/nag.test.ts), so `npm run check` and CI still catch what it catches.
 */
'use strict';
// V8's compiled code of aws-cdk-lib and the bundle, cached on disk across runs (Node.js 22.1+):
// loading modules is the largest part of a synth once validation is off.
require('node:module').enableCompileCache?.();
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, 'build', 'co-talk.js');
/** The bundle's inputs and what built it, to tell whether the bundle is still current. */
const inputsFile = path.join(root, 'build', 'co-talk.inputs.json');
const options = {
  absWorkingDir: root,
  entryPoints: ['bin/co-talk.ts'],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  logLevel: 'warning',
  sourcemap: 'inline',
};
const buildKey = JSON.stringify({ esbuild: esbuild.version, options });

/** True when the last bundle was built by these options and no input has changed since. */
function bundleIsCurrent() {
  try {
    const { key, startedMs, inputs } = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    if (key !== buildKey || !fs.existsSync(outfile)) return false;
    return inputs.every((input) => fs.statSync(path.join(root, input)).mtimeMs < startedMs);
  } catch {
    return false;
  }
}

if (!bundleIsCurrent()) {
  const startedMs = Date.now();
  const { metafile } = esbuild.buildSync({ ...options, metafile: true });
  // tsconfig.json shapes the bundle too (esbuild reads it) without being one of its inputs.
  const inputs = [...Object.keys(metafile.inputs), 'tsconfig.json'];
  fs.writeFileSync(inputsFile, JSON.stringify({ key: buildKey, startedMs, inputs }));
}
process.env.CDK_VALIDATION ??= 'false';

// Source maps make errors and validation reports point at lib/ and bin/ rather than at the
// bundle, but reading them costs every synth a quarter of a second: only a failing synth runs
// again with them, to report its error.
const withSourceMaps = process.env.CO_TALK_SOURCE_MAPS === 'true';
process.setSourceMapsEnabled(withSourceMaps);
try {
  require(outfile);
} catch (error) {
  if (withSourceMaps) throw error;
  const rerun = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, CO_TALK_SOURCE_MAPS: 'true' },
  });
  process.exit(rerun.status ?? 1);
}
