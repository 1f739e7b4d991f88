#!/usr/bin/env node
/* global fetch, setTimeout, clearTimeout */
/**
 * `npm run dev`: the three apps against the local PostgreSQL and Redis, with one command.
 * Bundles each app the way its image does (esbuild), creates the development database when it is
 * missing, starts the API first (it applies the migrations), then the worker and the gateway.
 * Ready means all three answer their readiness probes. An app that exits is reported by name with
 * its exit code or signal and restarted with backoff; the others keep running. Ctrl-C stops them
 * all gracefully.
 *
 * Overrides: DEV_DATABASE_SERVER (postgres://user@host:port), DEV_DATABASE_NAME, REDIS_URL,
 * REDIS_KEY_PREFIX, JWT_SECRET (a random one per run otherwise: tokens from an earlier run stop
 * working), ALLOWED_ORIGINS (default: any port of http://localhost and http://127.0.0.1), and the
 * ports DEV_API_PORT (3000), DEV_GATEWAY_PORT (8080), DEV_GATEWAY_HTTP_PORT (9090),
 * DEV_WORKER_PORT (9102).
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
const port = (name, fallback) => {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    console.error(`[dev] ${name}: expected a port number 1-65535, got "${value}"`);
    process.exit(2);
  }
  return Number(value);
};
const ports = {
  api: port('DEV_API_PORT', 3000),
  gateway: port('DEV_GATEWAY_PORT', 8080),
  gatewayHttp: port('DEV_GATEWAY_HTTP_PORT', 9090),
  worker: port('DEV_WORKER_PORT', 9102),
};

const shared = {
  PATH: process.env.PATH ?? '',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  DATABASE_URL: `${server}/${database}`,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX ?? '',
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
  // A page served by any local dev server may call the API and open the WebSocket.
  ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? 'http://localhost:*,http://127.0.0.1:*',
};

const apps = [
  {
    name: 'api',
    env: { API_PORT: String(ports.api), MIGRATIONS_DIR: join(APPS_DIR, 'api', 'migrations') },
    ready: `http://127.0.0.1:${ports.api}/readyz`,
  },
  { name: 'worker', env: { METRICS_PORT: String(ports.worker) }, ready: `http://127.0.0.1:${ports.worker}/readyz` },
  {
    name: 'gateway',
    env: {
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_HTTP_PORT: String(ports.gatewayHttp),
      GATEWAY_WORKERS: '1',
    },
    ready: `http://127.0.0.1:${ports.gatewayHttp}/readyz`,
  },
];

/** Restart delays: doubling from 1 s up to 30 s; a run of 30 s or more starts over at 1 s. */
const BACKOFF_MS = { first: 1_000, max: 30_000, stableAfter: 30_000 };
const READY_TIMEOUT_MS = 60_000;

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
    target: 'node20',
    sourcemap: true,
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Starts `app` (its bundle built once), prefixing its output; restarts it with backoff when it exits. */
function start(app) {
  const child = spawn(process.execPath, ['--enable-source-maps', app.bundle], {
    env: { ...shared, ...app.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.child = child;
  app.startedAt = Date.now();
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
    app.child = null;
    if (stopping) return;
    const reason = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    const ranMs = Date.now() - app.startedAt;
    app.delayMs = ranMs >= BACKOFF_MS.stableAfter ? BACKOFF_MS.first : Math.min(app.delayMs * 2, BACKOFF_MS.max);
    console.log(
      `[dev] ${app.name} exited (${reason}) after ${Math.round(ranMs / 1000)} s; restarting in ${app.delayMs / 1000} s`,
    );
    app.restartTimer = setTimeout(() => {
      if (stopping) return;
      start(app);
      waitReady(app).then(
        () => !stopping && console.log(`[dev] ${app.name} ready again`),
        (err) => console.log(`[dev] ${err.message}`),
      );
    }, app.delayMs);
  });
}

async function waitReady(app) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(app.ready)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${app.name} did not answer ${app.ready} within ${READY_TIMEOUT_MS / 1000} s`);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('[dev] stopping');
  for (const app of apps) clearTimeout(app.restartTimer);
  const running = apps.map((app) => app.child).filter((child) => child != null);
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
    app.bundle = bundle(app.name);
    app.delayMs = BACKOFF_MS.first / 2;
  }
  // The API first: it applies the migrations the worker relies on.
  start(apps[0]);
  await waitReady(apps[0]);
  for (const app of apps.slice(1)) start(app);
  await Promise.all(apps.slice(1).map(waitReady));
  if (stopping) return;
  console.log(
    `[dev] ready: api http://127.0.0.1:${ports.api} (OpenAPI at /openapi.json), ` +
      `gateway ws://127.0.0.1:${ports.gateway}, worker http://127.0.0.1:${ports.worker}/metrics`,
  );
}

main().catch((err) => {
  console.error(`[dev] ${err.message}`);
  stop(1);
});
