#!/usr/bin/env node
/**
 * The command `cdk.json` runs as the CDK app: bundles `bin/co-talk.ts` and the repository code
 * it imports with esbuild (packages stay external and load from node_modules), then runs it.
 *
 * Bundling takes well under a second and does no type-checking (that is `npm run typecheck`),
 * so synth pays neither for a TypeScript compiler in the loop nor for a stale `build/`.
 */
'use strict';
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
// Errors and validation reports then point at lib/ and bin/, not at the bundle.
process.setSourceMapsEnabled(true);
require(outfile);
