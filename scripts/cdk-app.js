#!/usr/bin/env node
/**
 * The command `cdk.json` runs as the CDK app: bundles `bin/co-talk.ts` and the repository code
 * it imports with esbuild (packages stay external and load from node_modules), then runs it.
 *
 * Bundling takes well under a second and does no type-checking (that is `npm run typecheck`),
 * so synth pays neither for a TypeScript compiler in the loop nor for a stale `build/`.
 *
 * The CDK's built-in CloudFormation validation is off unless asked for (`CDK_VALIDATION=true
 * npx cdk synth`): it took a third of a synth's time and most of its memory. The tests run it on
 * every profile (test/nag.test.ts), so `npm run check` and CI still catch what it catches.
 */
'use strict';
// V8's compiled code of aws-cdk-lib and the bundle, cached on disk across runs (Node.js 22.1+):
// loading modules is the largest part of a synth once validation is off.
require('node:module').enableCompileCache?.();
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, 'build', 'co-talk.js');

esbuild.buildSync({
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
});
process.env.CDK_VALIDATION ??= 'false';
// Errors and validation reports then point at lib/ and bin/, not at the bundle.
process.setSourceMapsEnabled(true);
require(outfile);
