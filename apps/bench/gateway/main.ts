import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { generateTokenKeySets, signAccessToken, TokenSigningKeys } from '@co-talk/common/jwt';
import { createRedis } from '@co-talk/common/redis';
import { ROOM_MEMBERS_LOADED, roomMembersKey } from '@co-talk/common/room-members';
import { ChildClient } from './child-client';
import { heldWithHeartbeats, raiseOpenFileLimit, reconnectStorm, type BenchKit } from './capacity-scenarios';
import { runClient, type ClientReport, type ClientTask, type OrchestratorCommand } from './client';
import { runHeldClient, type HeldTask } from './held';
import { LatencyRecorder, nowUs } from './latency';

/**
 * `npm run bench:gateway`: the gateway's real entry point (bundled as the image bundles it,
 * node cluster and all) against client processes on loopback and the local Redis. Every scenario
 * is bounded in connections, messages and time, and the run stops by itself.
 *
 * BENCH_IDLE_CONNECTIONS (default 50000), BENCH_RATE_CONNECTIONS (20000),
 * BENCH_FANOUT_SECONDS (5, counted after BENCH_WARMUP_SECONDS, 2, at the same rate),
 * BENCH_ROOM100_RATE (messages/s into the 100-member room, 5000),
 * BENCH_ROOMS_RATE (messages/s over the 1,000 rooms of 10, 2000), BENCH_ONLY (comma-separated scenario
 * names: idle, rate, room100, rooms1000; the capacity scenarios heartbeat and storm run only when
 * named, see capacity-scenarios.ts for theirs), BENCH_GATEWAY_NODE_ARGS and
 * BENCH_CLIENT_NODE_ARGS (e.g. --cpu-prof).
 */

const TOKEN_KEYS = generateTokenKeySets();
const ISSUER = 'co-talk-bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench:gw:${randomUUID().slice(0, 8)}:`;
const DIST = join(__dirname);
const SCENARIO_TIMEOUT_MS = 240_000;

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

interface Gateway {
  readonly process: ChildProcess;
  readonly port: number;
}

/** Gateways still running: killed when the run ends, whatever a scenario left behind. */
const STARTED = new Set<ChildProcess>();

let nextPort = 28_000 + Math.floor(Math.random() * 1000) * 2;

/** GATEWAY_* settings from the bench's own environment (to try other values), below the scenario's. */
const GATEWAY_OVERRIDES = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('GATEWAY_')),
);

async function startGateway(workers: number, settings: Record<string, string> = {}): Promise<Gateway> {
  const port = nextPort;
  nextPort += 2;
  // e.g. --cpu-prof to see where the gateway processes spend their time (workers inherit it).
  const nodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'gateway.js')], {
    env: {
      ...GATEWAY_OVERRIDES,
      PATH: process.env.PATH,
      JWT_PUBLIC_KEYS: TOKEN_KEYS.publicKeys,
      JWT_ISSUER: ISSUER,
      REDIS_URL,
      REDIS_KEY_PREFIX: PREFIX,
      // Every 127.0.0.x: the clients spread their connections over several destinations.
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: String(port),
      GATEWAY_HTTP_PORT: String(port + 1),
      GATEWAY_WORKERS: String(workers),
      GATEWAY_DRAIN_SECONDS: '5',
      // Senders in the fan-out runs send far above a person's rate on purpose.
      GATEWAY_RATE_PER_SECOND: '1000000',
      GATEWAY_RATE_BURST: '1000000',
      // The limits and the heartbeat stay on, as in production, with values above what the bench
      // itself needs: 100 users hold up to 50,000 connections from four addresses; ten senders
      // of one address send 500 messages a second each. Pings every 5 s, so that several rounds
      // fall inside every measurement (the clients answer them).
      GATEWAY_USER_CONNECTIONS_MAX: '1000',
      GATEWAY_ADDRESS_CONNECTIONS_MAX: '100000',
      GATEWAY_USER_MESSAGES_PER_SECOND: '1000',
      GATEWAY_USER_MESSAGES_BURST: '2000',
      GATEWAY_ADDRESS_MESSAGES_PER_SECOND: '20000',
      GATEWAY_ADDRESS_MESSAGES_BURST: '40000',
      GATEWAY_HEARTBEAT_INTERVAL_MS: '5000',
      LOG_LEVEL: 'warn',
      ...settings,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  STARTED.add(child);
  child.once('exit', () => STARTED.delete(child));
  // Many workers on a busy two-core machine can take a while to come up.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port + 1}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('gateway did not become ready');
    await sleep(100);
  }
  return { process: child, port };
}

async function stopGateway(gateway: Gateway): Promise<void> {
  const exited = new Promise((resolve) => gateway.process.once('exit', resolve));
  gateway.process.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (gateway.process.exitCode === null) gateway.process.kill('SIGKILL');
}

/** The gateway's primary and its workers (from /proc). */
function gatewayPids(gateway: Gateway): number[] {
  const pids = [gateway.process.pid!];
  try {
    pids.push(
      ...readFileSync(`/proc/${gateway.process.pid}/task/${gateway.process.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    // no children file: single process
  }
  return pids;
}

/**
 * Open file descriptors of each worker: with the connections open, how evenly the workers share
 * them (the idle baseline, a few dozen per worker, is the same for each).
 */
function workerSpread(gateway: Gateway): string {
  const [, ...workers] = gatewayPids(gateway);
  const counts = workers.map((pid) => readdirSync(`/proc/${pid}/fd`).length);
  return `open files per worker ${Math.min(...counts)}-${Math.max(...counts)}`;
}

/** RSS of the gateway's primary and its workers, in bytes. */
function gatewayRss(gateway: Gateway): number {
  return gatewayPids(gateway).reduce((sum, pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return sum + Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }, 0);
}

/** CPU seconds (user, system) the processes have used, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pids: readonly number[]): { user: number; system: number } {
  return pids.reduce(
    (sum, pid) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { user: sum.user + Number(fields[11]) / 100, system: sum.system + Number(fields[12]) / 100 };
    },
    { user: 0, system: 0 },
  );
}

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat. */
function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: (total - ticks[3] - ticks[4]) / 100, total: total / 100 };
}

/** A series summed over the gateway's workers (from the aggregated /metrics): by default the JS heap in use. */
async function heapUsed(gateway: Gateway, metric = 'nodejs_heap_size_used_bytes'): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.port + 1}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(metric));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

/** Percentiles (ms) of the gateway's own fan-out latency histogram: accept → queued for delivery. */
async function serverFanoutLatency(gateway: Gateway): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.port + 1}/metrics`)).text();
  const buckets = text
    .split('\n')
    .filter((l) => l.startsWith('gateway_fanout_latency_seconds_bucket'))
    .map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)![1]), count: Number(l.split(' ').pop()) }));
  const total = buckets.find((b) => b.le === Infinity)?.count ?? 0;
  const at = (fraction: number): string => {
    const bucket = buckets.find((b) => b.count >= total * fraction);
    return bucket === undefined || bucket.le === Infinity ? '> 2500' : `<= ${bucket.le * 1000}`;
  };
  const counter = (name: string): number =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        ?.split(' ')
        .pop() ?? Number.NaN,
    );
  const frames = counter('gateway_frames_out_total');
  const events = counter('gateway_messages_out_total');
  return (
    `gateway-side fan-out latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ` +
    `${frames} frames out, ${(events / frames).toFixed(1)} messages per frame; ` +
    `${counter('gateway_heartbeat_timeouts_total')} heartbeat timeouts; ` +
    // Since each worker started: how long a ready callback waited for its loop (or for a core).
    `event-loop delay p99 ${(counter('nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(0)} ms (workers' average), ` +
    `max ${(counter('nodejs_eventloop_lag_max_seconds') * 1000).toFixed(0)} ms`
  );
}

/** Seconds of CPU the Redis server has used. */
async function redisCpuSeconds(): Promise<number> {
  const redis = createRedis({ url: REDIS_URL });
  try {
    const info = await redis.info('cpu');
    const value = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)![1]);
    return value('used_cpu_user') + value('used_cpu_sys');
  } finally {
    redis.disconnect();
  }
}

/** Where the CPU went between `start()` and `stop()`: gateway, client processes, Redis, machine. */
class CpuWindow {
  private before: CpuSample | null = null;

  constructor(
    private readonly gateway: Gateway,
    private readonly clients: readonly Client[],
  ) {}

  async start(): Promise<void> {
    this.before = await this.sample();
  }

  async stop(): Promise<{ text: string; gatewaySeconds: number }> {
    const after = await this.sample();
    const before = this.before!;
    const seconds = (key: 'gateway' | 'clients'): number =>
      after[key].user - before[key].user + after[key].system - before[key].system;
    const used = (key: 'gateway' | 'clients'): string =>
      `${seconds(key).toFixed(1)} (system ${(after[key].system - before[key].system).toFixed(1)})`;
    const busy = after.machine.busy - before.machine.busy;
    const total = after.machine.total - before.machine.total;
    return {
      text:
        `CPU-s used: gateway ${used('gateway')}, clients ${used('clients')}, ` +
        `Redis ${(after.redis - before.redis).toFixed(1)}; machine ${Math.round((100 * busy) / total)}% busy`,
      gatewaySeconds: seconds('gateway'),
    };
  }

  private async sample(): Promise<CpuSample> {
    return {
      gateway: cpuSeconds(gatewayPids(this.gateway)),
      clients: cpuSeconds(this.clients.map((c) => c.pid)),
      redis: await redisCpuSeconds(),
      machine: machineCpuSeconds(),
    };
  }
}

interface CpuSample {
  readonly gateway: { user: number; system: number };
  readonly clients: { user: number; system: number };
  readonly redis: number;
  readonly machine: { busy: number; total: number };
}

class Client extends ChildClient<ClientReport, OrchestratorCommand> {
  constructor(task: ClientTask) {
    const execArgv = process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    super(__filename, ['client', JSON.stringify(task)], { execArgv }, SCENARIO_TIMEOUT_MS);
  }
}

/** The task of client process `index`, which connects through 127.0.0.<index + 1>. */
function task(port: number, index: number, overrides: Partial<ClientTask>): ClientTask {
  return {
    port,
    host: `127.0.0.${index + 1}`,
    connections: 0,
    concurrency: 100,
    tokens: TOKENS,
    rooms: [],
    senders: 0,
    sendRatePerSecond: 0,
    sendSeconds: 0,
    warmupSeconds: 0,
    ...overrides,
  };
}

let TOKENS: string[] = [];
let USER_IDS: string[] = [];

/** Makes every bench user a member of every room, as the API's membership mirror would. */
async function addMembers(rooms: readonly string[]): Promise<void> {
  const redis = createRedis({ url: REDIS_URL });
  try {
    const pipeline = (redis as import('ioredis').Redis).pipeline();
    for (const room of rooms) pipeline.sadd(`${PREFIX}${roomMembersKey(room)}`, ROOM_MEMBERS_LOADED, ...USER_IDS);
    await pipeline.exec();
  } finally {
    redis.disconnect();
  }
}

/**
 * Idle connections in two equal waves, memory read after each once V8's memory reducer has run
 * after the burst of upgrades: the average from zero counts what a process pays once (its young
 * generation growing to its cap, code compiled on first use), the second wave's slope what each
 * further connection costs, which is what decides how many a server holds.
 */
async function idleConnections(): Promise<string> {
  const total = num('BENCH_IDLE_CONNECTIONS', 50_000);
  // 20,000 open files per process here: enough gateway processes that each holds < 15,000 sockets.
  const workers = Math.max(availableParallelism(), Math.ceil(total / 15_000));
  const clientCount = 2 * Math.max(1, Math.ceil(total / 30_000));
  const gateway = await startGateway(workers);
  await sleep(2000);
  const baseline = gatewayRss(gateway);
  const heapBaseline = await heapUsed(gateway);
  const rooms = Array.from({ length: 1000 }, () => randomUUID());
  await addMembers(rooms);
  const clients: Client[] = [];
  const connected: Array<Extract<ClientReport, { kind: 'connected' }>> = [];
  const joined: Array<Extract<ClientReport, { kind: 'joined' }>> = [];
  const readings: Array<{ open: number; rss: number; heap: number }> = [];
  for (let w = 0; w < 2; w++) {
    const added = Array.from({ length: clientCount / 2 }, (_, k) => {
      const index = w * (clientCount / 2) + k;
      return new Client(
        task(gateway.port, index, { connections: Math.ceil(total / clientCount), rooms, concurrency: 50 }),
      );
    });
    clients.push(...added);
    connected.push(...(await Promise.all(added.map((c) => c.next('connected')))));
    joined.push(...(await Promise.all(added.map((c) => c.next('joined')))));
    await sleep(15_000);
    readings.push({
      open: connected.reduce((sum, r) => sum + r.connections, 0),
      rss: gatewayRss(gateway),
      heap: await heapUsed(gateway),
    });
  }
  const spread = workerSpread(gateway);
  const heartbeatTimeouts = await heapUsed(gateway, 'gateway_heartbeat_timeouts_total');
  await Promise.all(clients.map((c) => c.exit()));
  await stopGateway(gateway);
  const [half, full] = readings;
  const kb = (bytes: number, connections: number) => (bytes / connections / 1024).toFixed(2);
  const failed = connected.reduce((s, r) => s + r.failures, 0);
  return (
    `idle connections: ${full.open} open (${failed} failed), ` +
    `${joined.reduce((s, r) => s + r.joined, 0)} joined a room (1,000 rooms); gateway ${workers} processes (${spread}); ` +
    `RSS ${mb(baseline)} -> ${mb(half.rss)} (${half.open}) -> ${mb(full.rss)} MB (${full.open}): ` +
    `${kb(full.rss - half.rss, full.open - half.open)} KB per connection in the second wave, ` +
    `${kb(full.rss - baseline, full.open)} KB averaged from zero ` +
    `(JS heap in use ${mb(heapBaseline)} -> ${mb(half.heap)} -> ${mb(full.heap)} MB: ${kb(full.heap - half.heap, full.open - half.open)} KB per connection in the second wave); ` +
    `${heartbeatTimeouts} heartbeat timeouts`
  );
}

/** Connection rate under each way the gateway's workers can get connections. */
async function connectionRates(): Promise<string> {
  const results: string[] = [];
  for (const scheduling of ['round-robin', 'os']) results.push(await connectionRate(scheduling));
  return results.join('\n');
}

async function connectionRate(scheduling: string): Promise<string> {
  const total = num('BENCH_RATE_CONNECTIONS', 20_000);
  const gateway = await startGateway(availableParallelism(), { GATEWAY_CLUSTER_SCHEDULING: scheduling });
  await sleep(1000);
  const clients = Array.from(
    { length: 2 },
    (_, i) => new Client(task(gateway.port, i, { connections: total / 2, concurrency: 250 })),
  );
  const cpu = new CpuWindow(gateway, clients);
  await cpu.start();
  const connected = await Promise.all(clients.map((c) => c.next('connected')));
  const cpuUsed = await cpu.stop();
  const spread = workerSpread(gateway);
  await Promise.all(clients.map((c) => c.exit()));
  await stopGateway(gateway);
  const open = connected.reduce((sum, r) => sum + r.connections, 0);
  const seconds = Math.max(...connected.map((r) => r.elapsedMs)) / 1000;
  const failed = connected.reduce((sum, r) => sum + r.failures, 0);
  const reasons = connected.flatMap((r) => Object.entries(r.errors).map(([reason, n]) => `${reason} x${n}`));
  return (
    `connection rate (${scheduling}): ${open} JWT-authenticated upgrades in ${seconds.toFixed(2)} s = ${Math.round(open / seconds)}/s` +
    (failed > 0 ? ` (${failed} failed: ${reasons.join(', ')})` : ' (none failed)') +
    `; ${spread}; ${cpuUsed.text}, ${Math.round((cpuUsed.gatewaySeconds * 1e6) / open)} µs of gateway CPU per upgrade`
  );
}

async function fanout(
  label: string,
  roomCount: number,
  membersPerRoom: number,
  messagesPerSecond: number,
): Promise<string> {
  const seconds = num('BENCH_FANOUT_SECONDS', 5);
  const warmup = num('BENCH_WARMUP_SECONDS', 2);
  // A few senders carry the whole load here. Round-robin splits them evenly between the workers;
  // with `os` the kernel may hand a burst of them to one worker, and the run measures that draw
  // (one worker saturated, the other idle) rather than the gateway.
  const gateway = await startGateway(availableParallelism(), { GATEWAY_CLUSTER_SCHEDULING: 'round-robin' });
  const rooms = Array.from({ length: roomCount }, () => randomUUID());
  await addMembers(rooms);
  const perClient = (roomCount * membersPerRoom) / 2;
  // Process 0 holds the senders: one per room, or ten for a single room.
  const senders = roomCount === 1 ? 10 : roomCount;
  const clients: Client[] = [];
  // One after the other, so that process 0's senders reach the workers alternately.
  for (const i of [0, 1]) {
    const client = new Client(
      task(gateway.port, i, {
        connections: perClient,
        rooms,
        senders: i === 0 ? senders : 0,
        sendRatePerSecond: messagesPerSecond / senders,
        sendSeconds: seconds,
        warmupSeconds: warmup,
      }),
    );
    clients.push(client);
    await client.next('connected');
  }
  await Promise.all(clients.map((c) => c.next('joined')));
  await sleep(500);
  const measureFromUs = nowUs() + warmup * 1e6;
  clients.forEach((c) => c.command({ kind: 'send', measureFromUs }));
  await sleep(warmup * 1000);
  const cpu = new CpuWindow(gateway, clients);
  await cpu.start();
  await sleep(seconds * 1000);
  const cpuUsed = await cpu.stop();
  // What is still queued arrives late and counts so.
  await sleep(3000);
  clients.forEach((c) => c.command({ kind: 'report' }));
  const done = await Promise.all(clients.map((c) => c.next('done')));
  const serverSide = await serverFanoutLatency(gateway);
  const spread = workerSpread(gateway);
  await Promise.all(clients.map((c) => c.exit()));
  await stopGateway(gateway);
  const latency = new LatencyRecorder();
  for (const report of done) latency.merge(report.latency);
  const deliveries = done.reduce((sum, r) => sum + r.deliveries, 0);
  const sent = done.reduce((sum, r) => sum + r.sent, 0);
  const first = done[0].firstSendUs;
  const last = Math.max(...done.map((r) => r.lastDeliveryUs));
  const elapsed = (last - first) / 1e6;
  return (
    `${label}: ${sent} messages sent (target ${messagesPerSecond}/s for ${seconds} s after ${warmup} s of warm-up), ${deliveries} deliveries ` +
    `of ${sent * membersPerRoom} expected, ${Math.round(deliveries / elapsed)} deliveries/s, ` +
    `latency p50 ${latency.percentileMs(0.5).toFixed(2)} ms, p99 ${latency.percentileMs(0.99).toFixed(2)} ms, ` +
    `max ${latency.percentileMs(1).toFixed(2)} ms; ${serverSide}; ${spread}; ${cpuUsed.text}`
  );
}

async function main(): Promise<void> {
  await build({
    entryPoints: [join(__dirname, '../../gateway/src/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    outfile: join(DIST, 'gateway.js'),
    logLevel: 'warning',
  });
  USER_IDS = Array.from({ length: 100 }, () => randomUUID());
  TOKENS = await Promise.all(
    USER_IDS.map((userId) =>
      signAccessToken(TokenSigningKeys.parse(TOKEN_KEYS.signingKeys), { userId, ttlSeconds: 3600, issuer: ISSUER }),
    ),
  );
  console.log(
    `machine: ${cpus().length} x ${cpus()[0].model}, ${mb(totalmem())} MB RAM, node ${process.version}, ` +
      `load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const only = process.env.BENCH_ONLY?.split(',');
  const capacityRuns = only?.some((name) => name === 'heartbeat' || name === 'storm') ?? false;
  // The capacity scenarios hold 100,000-200,000 sockets: raise the open-file limit when allowed.
  const fileLimit = capacityRuns ? raiseOpenFileLimit(262_144) : 0;
  if (capacityRuns) console.log(`open files per process: ${fileLimit}`);
  const kit: BenchKit = {
    startGateway,
    stopGateway,
    gatewayPids,
    gatewayRss,
    workerSpread,
    heapUsed: (gateway) => heapUsed(gateway),
    addMembers,
    tokens: () => TOKENS,
    cpuSeconds,
    benchFile: __filename,
  };
  const scenarios: Array<[string, () => Promise<string>]> = [
    ['idle', idleConnections],
    ['rate', connectionRates],
    ['room100', () => fanout('fan-out, one room of 100', 1, 100, num('BENCH_ROOM100_RATE', 5000))],
    ['rooms1000', () => fanout('fan-out, 1,000 rooms of 10', 1000, 10, num('BENCH_ROOMS_RATE', 2000))],
    ['heartbeat', () => heldWithHeartbeats(kit, fileLimit)],
    ['storm', () => reconnectStorm(kit, fileLimit)],
  ];
  try {
    for (const [name, run] of scenarios) {
      if (only ? !only.includes(name) : name === 'heartbeat' || name === 'storm') continue;
      // The capacity scenarios open 100,000-200,000 connections first: ten minutes at most.
      const limitMs = name === 'heartbeat' || name === 'storm' ? 600_000 : SCENARIO_TIMEOUT_MS;
      const result = await Promise.race([
        run(),
        sleep(limitMs).then(() => `${name}: did not finish within ${limitMs / 1000} s`),
      ]);
      console.log(`${result} (load average ${loadavg()[0].toFixed(2)})`);
    }
  } finally {
    for (const child of STARTED) child.kill('SIGKILL');
    const redis = createRedis({ url: REDIS_URL });
    await redis.del(`${PREFIX}chat:messages`);
    const stream = (redis as import('ioredis').Redis).scanStream({ match: `${PREFIX}*`, count: 1000 });
    for await (const keys of stream) if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    redis.disconnect();
  }
  process.exit(0);
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (process.argv[2] === 'client') {
  void runClient(JSON.parse(process.argv[3]) as ClientTask, (report) => process.send!(report));
} else if (process.argv[2] === 'held-client') {
  void runHeldClient(JSON.parse(process.argv[3]) as HeldTask, (report) => process.send!(report));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
