#!/usr/bin/env node
/**
 * `npm run bench:synth`: synthesizes every profile's whole app and prints wall time and peak
 * memory. Goal on a 2-core machine: under 5 s and 1 GB per profile.
 *
 * Two figures per profile:
 * - app: the process `cdk synth` starts (cdk.json's `app` command, run with the context and
 *   output directory the CLI hands it), CloudFormation validation off as scripts/cdk-app.js leaves it;
 * - cdk synth: the whole `npx cdk synth --quiet -c env=NAME` (CLI start-up included), wall only.
 *
 * The app runs RUNS times (default 3) and the fastest run is kept: on a shared machine the
 * slower runs measure the neighbours. Peak memory is the largest of the runs.
 *
 * Usage: [RUNS=n] node scripts/bench-synth.js [profile...]   (default: every profile)
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const GOAL_SECONDS = 5;
const GOAL_MB = 1024;
const RUNS = Number(process.env.RUNS ?? 3);
const profiles = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['dev', 'staging', 'prod', 'scale'];

const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
const committedContext = JSON.parse(fs.readFileSync(path.join(root, 'cdk.context.json'), 'utf8'));
const appCommand = cdkJson.app.split(' ');

/** Runs the app once as the CLI would and returns wall seconds and peak RSS in MB. */
function benchApp(profile) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `co-talk-bench-${profile}-`));
  const usageFile = path.join(outdir, 'usage.json');
  const context = {
    ...cdkJson.context,
    ...committedContext,
    env: profile,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
  const started = process.hrtime.bigint();
  const result = spawnSync(
    appCommand[0],
    ['--require', path.join(__dirname, 'report-peak-rss.js'), ...appCommand.slice(1)],
    {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), PEAK_RSS_FILE: usageFile },
      encoding: 'utf8',
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`synth of ${profile} failed (exit ${result.status}):\n${result.stderr}`);
  }
  const { maxRssKb, cpuMicros } = JSON.parse(fs.readFileSync(usageFile, 'utf8'));
  const stacks = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).length;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { seconds, cpuSeconds: cpuMicros / 1e6, mb: maxRssKb / 1024, stacks };
}

/** Runs the whole `cdk synth` for a profile and returns wall seconds. */
function benchCli(profile) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `co-talk-bench-cli-${profile}-`));
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
      'synth',
      '--quiet',
      '-c',
      `env=${profile}`,
      '-o',
      outdir,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`cdk synth -c env=${profile} failed:\n${result.stderr}`);
  return seconds;
}

console.log(
  `node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}, best of ${RUNS} app runs`,
);
// CPU time is printed too: on a shared machine, wall time mostly measures the neighbours.
console.log('profile   stacks   app wall    app CPU   app peak RSS   cdk synth wall');
let overGoal = false;
for (const profile of profiles) {
  const runs = Array.from({ length: RUNS }, () => benchApp(profile));
  const app = {
    ...runs.reduce((best, run) => (run.seconds < best.seconds ? run : best)),
    mb: Math.max(...runs.map((run) => run.mb)),
  };
  const cli = benchCli(profile);
  const over = app.seconds > GOAL_SECONDS || app.mb > GOAL_MB;
  overGoal ||= over;
  console.log(
    `${profile.padEnd(9)} ${String(app.stacks).padStart(6)} ${app.seconds.toFixed(2).padStart(9)} s ` +
      `${app.cpuSeconds.toFixed(2).padStart(8)} s ` +
      `${app.mb.toFixed(0).padStart(10)} MB ${cli.toFixed(2).padStart(14)} s${over ? '   over goal' : ''}`,
  );
}
console.log(`goal: app under ${GOAL_SECONDS} s and ${GOAL_MB} MB per profile${overGoal ? ' (missed)' : ' (met)'}`);
