#!/usr/bin/env node
/* global fetch */
/**
 * `npm run dev`: the three apps against the local PostgreSQL and Redis, with one command.
 * Bundles each app the way its image does (esbuild), creates the development database when it is
 * missing, starts the API first (it applies the migrations), then the worker and the gateway.
 * Ctrl-C stops them all gracefully.
 *
 * Overrides: DEV_DATABASE_SERVER (postgres://user@host:port), DEV_DATABASE_NAME, REDIS_URL,
 * JWT_SECRET (a random one per run otherwise: tokens from an earlier run stop working).
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { buildSync } = require('esbuild');
const { Client } = require('pg');

const APPS_DIR = join(__dirname, '..');
const server = process.env.DEV_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const database = process.env.DEV_DATABASE_NAME ?? 'cotalk_dev';

const shared = {
  PATH: process.env.PATH ?? '',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  DATABASE_URL: `${server}/${database}`,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
};

const apps = [
  { name: 'api', env: { API_PORT: '3000' }, ready: 'http://127.0.0.1:3000/readyz' },
  { name: 'worker', env: { METRICS_PORT: '9102' } },
  { name: 'gateway', env: { GATEWAY_PORT: '8080', GATEWAY_HTTP_PORT: '9090', GATEWAY_WORKERS: '1' } },
];

const children = [];
let stopping = false;

async function ensureDatabase() {
  const client = new Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      console.log(`[dev] created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

function bundle(name) {
  const outfile = join(APPS_DIR, name, 'dist', 'main.js');
  buildSync({
    entryPoints: [join(APPS_DIR, name, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    sourcemap: true,
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function start(app) {
  const extra = app.name === 'api' ? { MIGRATIONS_DIR: join(APPS_DIR, 'api', 'migrations') } : {};
  const child = spawn(process.execPath, ['--enable-source-maps', bundle(app.name)], {
    env: { ...shared, ...app.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${app.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    console.log(`[dev] ${app.name} exited (${signal ?? code})`);
    if (!stopping) stop(1);
  });
  children.push(child);
}

async function waitReady(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not become ready within 30 s`);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('[dev] stopping');
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  let left = running.length;
  if (left === 0) process.exit(code);
  for (const child of running) {
    child.once('exit', () => {
      left -= 1;
      if (left === 0) process.exit(code);
    });
    child.kill('SIGTERM');
  }
}

async function main() {
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  await ensureDatabase();
  for (const app of apps) {
    start(app);
    if (app.ready) await waitReady(app.ready);
  }
  console.log('[dev] api http://127.0.0.1:3000 (OpenAPI at /openapi.json), gateway ws://127.0.0.1:8080');
}

main().catch((err) => {
  console.error(`[dev] ${err.message}`);
  stop(1);
});
