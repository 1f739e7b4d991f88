import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ChildClient } from './child-client';
import type { HeldCommand, HeldReport, HeldTask } from './held';
import { LatencyRecorder, nowUs } from './latency';

/**
 * The capacity scenarios of `npm run bench:gateway` (apps/gateway/README.md, lib/capacity):
 *
 * - `heartbeat`: BENCH_HEARTBEAT_CONNECTIONS (200,000) idle authenticated connections, each joined
 *   to a room, held with heartbeats on (the clients ping every GATEWAY_HEARTBEAT_INTERVAL_MS,
 *   30 s, and answer the gateway's pings) for BENCH_HEARTBEAT_HOLD_SECONDS (75: two and a half
 *   intervals); server RSS per connection, kernel slab per connection, heartbeat CPU.
 * - `storm`: BENCH_STORM_CONNECTIONS (100,000) clients on gateway A; A is sent SIGTERM and drains
 *   them (GATEWAY_DRAIN_SECONDS, BENCH_STORM_DRAIN_SECONDS 90, prod's); every client reconnects to gateway
 *   B with the client backoff (a random wait below 1 s, doubling after a failed attempt, at most
 *   8 s): how long until all are back, and how many upgrades failed and were retried.
 */

/** What the scenarios borrow from the bench's orchestrator. */
export interface BenchKit {
  startGateway(workers: number, settings?: Record<string, string>): Promise<BenchGateway>;
  stopGateway(gateway: BenchGateway): Promise<void>;
  gatewayPids(gateway: BenchGateway): number[];
  gatewayRss(gateway: BenchGateway): number;
  workerSpread(gateway: BenchGateway): string;
  heapUsed(gateway: BenchGateway): Promise<number>;
  addMembers(rooms: readonly string[]): Promise<void>;
  tokens(): readonly string[];
  cpuSeconds(pids: readonly number[]): { user: number; system: number };
  benchFile: string;
}

export interface BenchGateway {
  readonly process: ChildProcess;
  readonly port: number;
}

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
/** Connections per client process: past ~14,000 to one address the kernel's port search slows. */
const PER_CLIENT = 14_000;
const HEARTBEAT_MS = () => num('GATEWAY_HEARTBEAT_INTERVAL_MS', 30_000);

/**
 * Open files each process may have: this machine's default is 20,000. When the bench may raise
 * it (root, or CAP_SYS_RESOURCE), it raises its own limit with prlimit(1), and the gateway and
 * client processes it starts inherit it; otherwise the gateway runs more processes.
 */
export function raiseOpenFileLimit(wanted: number): number {
  const current = (): number =>
    Number(/Max open files\s+\d+\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
  if (current() >= wanted) return current();
  spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  return current();
}

class HeldClient extends ChildClient<HeldReport, HeldCommand> {
  constructor(benchFile: string, task: HeldTask) {
    super(benchFile, ['held-client', JSON.stringify(task)], {}, 500_000);
  }

  async status(): Promise<Extract<HeldReport, { kind: 'status' }>> {
    this.command({ kind: 'status' });
    return this.next('status', 30_000);
  }
}

function heldClients(
  kit: BenchKit,
  total: number,
  port: number,
  rooms: readonly string[],
  extra: Partial<HeldTask> = {},
  /** Client processes started before these: each process has a destination address of its own. */
  started = 0,
): HeldClient[] {
  const count = Math.ceil(total / PER_CLIENT);
  return Array.from({ length: count }, (_, i) => {
    const connections = Math.min(PER_CLIENT, total - i * PER_CLIENT);
    return new HeldClient(kit.benchFile, {
      port,
      // 127.0.0.2 upward: one destination address per client process.
      host: `127.0.0.${started + i + 2}`,
      connections,
      concurrency: 40,
      tokens: kit.tokens(),
      rooms,
      heartbeatMs: HEARTBEAT_MS(),
      backoffBaseMs: 1000,
      backoffMaxMs: 8000,
      ...extra,
    });
  });
}

/** Kernel slab memory of the machine (every process's sockets, both ends of each loopback connection). */
function slabBytes(): number {
  return Number(/^Slab:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
}

const sum = <T>(items: readonly T[], get: (item: T) => number) => items.reduce((n, item) => n + get(item), 0);

/** CPU seconds of a set of processes since the tally began, counting one that has exited at its last reading. */
class CpuTally {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(
    private readonly kit: BenchKit,
    pids: readonly number[],
  ) {
    for (const pid of pids) this.start.set(pid, this.read(pid) ?? 0);
    this.sample();
  }

  /** Reads every process still running; call it while they run. */
  sample(): void {
    for (const pid of this.start.keys()) {
      const seconds = this.read(pid);
      if (seconds !== undefined) this.last.set(pid, seconds);
    }
  }

  get seconds(): number {
    return sum([...this.start], ([pid, start]) => (this.last.get(pid) ?? start) - start);
  }

  private read(pid: number): number | undefined {
    try {
      const { user, system } = this.kit.cpuSeconds([pid]);
      return user + system;
    } catch {
      return undefined; // exited
    }
  }
}

/**
 * Four event loops as in the `idle` scenario when the open-file limit allows; otherwise enough
 * processes that each stays below it (the gateway spreads connections evenly only roughly).
 */
function processesFor(connections: number, fileLimit: number): number {
  return Math.max(4, Math.ceil(connections / (fileLimit * 0.75)));
}

/**
 * The heartbeat interval, and connection limits above what the scenario opens: its connections
 * belong to the bench's 100 users and all come from one loopback address.
 */
function connectionLimits(total: number): Record<string, string> {
  return {
    GATEWAY_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS()),
    GATEWAY_USER_CONNECTIONS_MAX: String(Math.ceil(total / 100) * 2),
    GATEWAY_ADDRESS_CONNECTIONS_MAX: String(total * 2),
  };
}

export async function heldWithHeartbeats(kit: BenchKit, fileLimit: number): Promise<string> {
  const total = num('BENCH_HEARTBEAT_CONNECTIONS', 200_000);
  const holdSeconds = num('BENCH_HEARTBEAT_HOLD_SECONDS', 75);
  const workers = processesFor(total, fileLimit);
  const gateway = await kit.startGateway(workers, connectionLimits(total));
  const clients: HeldClient[] = [];
  try {
    return await measureHeld(kit, gateway, clients, total, holdSeconds, workers);
  } finally {
    await Promise.all(clients.map((c) => c.exit()));
    await kit.stopGateway(gateway);
  }
}

async function measureHeld(
  kit: BenchKit,
  gateway: BenchGateway,
  clients: HeldClient[],
  total: number,
  holdSeconds: number,
  workers: number,
): Promise<string> {
  await sleep(2000);
  const rssBefore = kit.gatewayRss(gateway);
  const heapBefore = await kit.heapUsed(gateway);
  const slabBefore = slabBytes();
  const rooms = Array.from({ length: 1000 }, () => randomUUID());
  await kit.addMembers(rooms);
  // Two equal waves, memory read after each (as in `idle`): the second wave's slope is what each
  // further connection costs; the average from zero includes what each process pays once.
  const connected: Array<Extract<HeldReport, { kind: 'connected' }>> = [];
  const joined: Array<Extract<HeldReport, { kind: 'joined' }>> = [];
  const readings: Array<{ open: number; rss: number; heap: number; slab: number }> = [];
  let connectSeconds = 0;
  for (const half of [Math.ceil(total / 2), Math.floor(total / 2)]) {
    const added = heldClients(kit, half, gateway.port, rooms, {}, clients.length);
    clients.push(...added);
    const waveStart = Date.now();
    connected.push(...(await Promise.all(added.map((c) => c.next('connected')))));
    connectSeconds += (Date.now() - waveStart) / 1000;
    joined.push(...(await Promise.all(added.map((c) => c.next('joined')))));
    // V8's memory reducer runs after the burst; the steady state is what a server pays.
    await sleep(15_000);
    readings.push({
      open: sum(connected, (r) => r.connections),
      rss: kit.gatewayRss(gateway),
      heap: await kit.heapUsed(gateway),
      slab: slabBytes(),
    });
  }
  const [first, second] = readings;
  const open = second.open;
  const rssLoaded = second.rss;
  const heapLoaded = second.heap;
  const slabLoaded = second.slab;
  const spread = kit.workerSpread(gateway);
  const before = await Promise.all(clients.map((c) => c.status()));
  const cpuBefore = kit.cpuSeconds(kit.gatewayPids(gateway));
  await sleep(holdSeconds * 1000);
  const cpuAfter = kit.cpuSeconds(kit.gatewayPids(gateway));
  const after = await Promise.all(clients.map((c) => c.status()));
  const rssEnd = kit.gatewayRss(gateway);

  const pings = sum(after, (s) => s.pingsSent) - sum(before, (s) => s.pingsSent);
  const pongs = sum(after, (s) => s.pongsReceived) - sum(before, (s) => s.pongsReceived);
  const serverPings = sum(after, (s) => s.serverPings) - sum(before, (s) => s.serverPings);
  const cpu = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  const failed = sum(connected, (r) => r.failures);
  const reasons = connected.flatMap((r) => Object.entries(r.errors).map(([reason, n]) => `${reason} x${n}`));
  return (
    `held with heartbeats: ${open} open in ${connectSeconds.toFixed(1)} s of upgrades (${failed} failed${reasons.length ? `: ${reasons.join(', ')}` : ''}), ` +
    `${sum(joined, (r) => r.joined)} joined a room; gateway ${workers} processes (${spread}); ` +
    `RSS ${mb(rssBefore)} -> ${mb(first.rss)} (${first.open}) -> ${mb(rssLoaded)} MB (${open}): ` +
    `${((rssLoaded - first.rss) / (open - first.open) / 1000).toFixed(2)} KB per connection in the second wave, ` +
    `${((rssLoaded - rssBefore) / open / 1000).toFixed(2)} KB averaged from zero ` +
    `(JS heap ${mb(heapBefore)} -> ${mb(heapLoaded)} MB); machine slab +${mb(slabLoaded - slabBefore)} MB = ` +
    `${((slabLoaded - slabBefore) / open / 1000).toFixed(2)} KB per connection, both ends; ` +
    `held ${holdSeconds} s: ${sum(after, (s) => s.open)} still open, ${sum(after, (s) => s.closes)} closed, ` +
    `${pings} client pings and ${pongs} pongs, ${serverPings} gateway pings answered; ` +
    `gateway CPU ${cpu.toFixed(1)} s (${((cpu * 1e6) / Math.max(1, pings + serverPings)).toFixed(1)} µs per heartbeat); ` +
    `RSS at the end ${mb(rssEnd)} MB`
  );
}

export async function reconnectStorm(kit: BenchKit, fileLimit: number): Promise<string> {
  const total = num('BENCH_STORM_CONNECTIONS', 100_000);
  // prod's drain window (app.gatewayDrainSeconds): what a deployed server gives its clients.
  const drainSeconds = num('BENCH_STORM_DRAIN_SECONDS', 90);
  const workers = processesFor(total, fileLimit);
  const settings = { GATEWAY_DRAIN_SECONDS: String(drainSeconds), ...connectionLimits(total) };
  const a = await kit.startGateway(workers, settings);
  const b = await kit.startGateway(workers, settings);
  const clients: HeldClient[] = [];
  try {
    return await measureStorm(kit, a, b, clients, total, drainSeconds);
  } finally {
    await Promise.all(clients.map((c) => c.exit()));
    await kit.stopGateway(b);
    if (a.process.exitCode === null) a.process.kill('SIGKILL');
  }
}

async function measureStorm(
  kit: BenchKit,
  a: BenchGateway,
  b: BenchGateway,
  clients: HeldClient[],
  total: number,
  drainSeconds: number,
): Promise<string> {
  const rooms = Array.from({ length: 1000 }, () => randomUUID());
  await kit.addMembers(rooms);
  clients.push(...heldClients(kit, total, a.port, rooms, { reconnectPort: b.port, heartbeatMs: 1e9 }));
  const connected = await Promise.all(clients.map((c) => c.next('connected')));
  await Promise.all(clients.map((c) => c.next('joined')));
  const open = sum(connected, (r) => r.connections);
  // Where the two cores go during the storm: A draining, B accepting, the clients.
  const tallies = {
    A: new CpuTally(kit, kit.gatewayPids(a)),
    B: new CpuTally(kit, kit.gatewayPids(b)),
    clients: new CpuTally(
      kit,
      clients.map((c) => c.pid),
    ),
  };
  const sigtermUs = nowUs();
  const exited = new Promise((resolve) => a.process.once('exit', resolve));
  a.process.kill('SIGTERM');
  // Everyone back, or the drain window plus the longest backoff is over.
  const deadline = Date.now() + (drainSeconds + 10) * 1000;
  let statuses = await Promise.all(clients.map((c) => c.status()));
  while (sum(statuses, (s) => s.reconnected) < open && Date.now() < deadline) {
    await sleep(1000);
    for (const tally of Object.values(tallies)) tally.sample();
    statuses = await Promise.all(clients.map((c) => c.status()));
  }
  for (const tally of Object.values(tallies)) tally.sample();
  const stormSeconds = (nowUs() - sigtermUs) / 1e6;
  const cores = availableParallelism();
  await Promise.race([exited, sleep(5000)]);
  const bSpread = kit.workerSpread(b);
  const bUpgrades = (await (await fetch(`http://127.0.0.1:${b.port + 1}/metrics`)).text())
    .split('\n')
    .filter((l) => l.startsWith('gateway_upgrades_total{'))
    .map((l) => `${/result="([^"]+)"/.exec(l)![1]} ${l.split(' ').pop()}`)
    .join(', ');

  const delay = new LatencyRecorder();
  for (const s of statuses) delay.merge(s.reconnectDelay);
  const reconnected = sum(statuses, (s) => s.reconnected);
  const lastUs = Math.max(...statuses.map((s) => s.lastReconnectUs));
  const firstCloseUs = Math.min(...statuses.filter((s) => s.firstCloseUs > 0).map((s) => s.firstCloseUs));
  const retried = sum(statuses, (s) => s.reconnectFailures);
  const reasons: Record<string, number> = {};
  for (const s of statuses) for (const [r, n] of Object.entries(s.reconnectErrors)) reasons[r] = (reasons[r] ?? 0) + n;
  return (
    `reconnect storm: ${open} clients on gateway A, SIGTERM with GATEWAY_DRAIN_SECONDS=${drainSeconds}; ` +
    `${sum(statuses, (s) => s.closes)} closed by A (first ${((firstCloseUs - sigtermUs) / 1e6).toFixed(1)} s after SIGTERM), ` +
    `${reconnected} reconnected to B, the last ${((lastUs - sigtermUs) / 1e6).toFixed(1)} s after SIGTERM ` +
    `(${reconnected === open && lastUs - sigtermUs <= drainSeconds * 1e6 ? 'within' : 'NOT within'} the ${drainSeconds} s drain window); ` +
    `close to 101 p50 ${(delay.percentileMs(0.5) / 1000).toFixed(2)} s, p99 ${(delay.percentileMs(0.99) / 1000).toFixed(2)} s, ` +
    `max ${(delay.percentileMs(1) / 1000).toFixed(2)} s; ${retried} upgrades failed and were retried` +
    `${
      retried
        ? ` (${Object.entries(reasons)
            .map(([r, n]) => `${r} x${n}`)
            .join(', ')})`
        : ''
    }; ` +
    `${open - reconnected} never came back; B: upgrades ${bUpgrades}, ${bSpread}; ` +
    `CPU-s in the ${stormSeconds.toFixed(0)} s after SIGTERM: A ${tallies.A.seconds.toFixed(1)}, ` +
    `B ${tallies.B.seconds.toFixed(1)} (${Math.round((tallies.B.seconds * 1e6) / Math.max(1, reconnected))} µs per upgrade), ` +
    `clients ${tallies.clients.seconds.toFixed(1)}, of ${(cores * stormSeconds).toFixed(0)} on ${cores} cores`
  );
}
