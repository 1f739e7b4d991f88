import type { CapacityLimit, CapacityReport, ServerCapacity } from '../../lib/capacity';

/** The formats `npm run capacity` prints. */
export type CapacityFormat = 'text' | 'markdown' | 'json';

const fmt = (n: number | null) => (n === null ? '-' : Math.floor(n).toLocaleString('en-US'));
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`;

function status(limit: CapacityLimit, binding: string): string {
  if (!limit.ok) return 'EXCEEDED';
  if (!limit.checked) return 'not checkable';
  return limit.name === binding ? 'binding' : 'ok';
}

function rows(capacity: ServerCapacity, servers: number): string[][] {
  return capacity.limits.map((limit) => [
    limit.name,
    fmt(limit.perServer),
    limit.perServer === null ? '-' : fmt(limit.perServer * servers),
    status(limit, capacity.binding),
    limit.detail,
    limit.source,
  ]);
}

const HEADER = ['limit', 'per server', 'total', 'status', 'numbers', 'source'];

function table(format: 'text' | 'markdown', header: string[], body: string[][]): string {
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
  }
  // Text: the four short columns aligned, the numbers and the source on their own lines.
  const widths = [0, 1, 2, 3].map((i) => Math.max(header[i].length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .slice(0, 4)
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ');
  return [line(header), ...body.flatMap((r) => [line(r), `    ${r[4]}`, `    source: ${r[5]}`])].join('\n');
}

/** The report as JSON: the figures, every limit with its source, the ceiling, the failures. */
export function capacityJson(report: CapacityReport): object {
  const limits = (capacity: ServerCapacity) =>
    capacity.limits.map(({ name, perServer, ok, checked, detail, source }) => ({
      name,
      perServer: perServer === null ? null : Math.floor(perServer),
      ok,
      checked,
      detail,
      source,
    }));
  return {
    profile: report.profile,
    targetConnections: report.targetConnections,
    targetPerServer: report.targetPerServer,
    servers: report.servers,
    maxServers: report.maxServers,
    server: report.current.server,
    perServerConnections: report.perServerConnections,
    totalConnections: report.totalConnections,
    binding: report.binding,
    headroom: Number(report.headroom.toFixed(4)),
    limits: limits(report.current),
    ceiling: { server: report.ceiling.server, binding: report.ceiling.binding, limits: limits(report.ceiling) },
    ceilingPerServerConnections: report.ceilingPerServerConnections,
    failures: report.failures,
  };
}

/** Renders the capacity report of one profile. */
export function renderCapacityReport(report: CapacityReport, format: CapacityFormat): string {
  if (format === 'json') return `${JSON.stringify(capacityJson(report), null, 2)}\n`;
  const heading = (text: string) => (format === 'markdown' ? `### ${text}` : text);
  const { current, ceiling } = report;
  const out = [
    heading(`Connection capacity of "${report.profile}"`),
    '',
    `Target: ${fmt(report.targetConnections)} connections on ${report.servers} servers ` +
      `(${fmt(report.targetPerServer)} per server; the HPA may add up to ${report.maxServers}).`,
    `Server: ${current.server.instanceType} (${current.server.nodeVcpu} vCPU, ${current.server.nodeMemoryGiB} GiB), ` +
      `pod with ${current.server.workers} gateway processes and ${(current.server.podMemoryBytes / 1024 ** 3).toFixed(1)} GiB.`,
    `Capacity: ${fmt(report.perServerConnections)} per server (binding: ${report.binding}), ` +
      `${fmt(report.totalConnections)} on ${report.servers} servers: headroom ${pct(report.headroom)} against the target.`,
    '',
    table(format, HEADER, rows(current, report.servers)),
    '',
    heading(`A server at the vertical ceiling: ${ceiling.server.instanceType}`),
    '',
    `Pod with ${ceiling.server.workers} gateway processes and ${(ceiling.server.podMemoryBytes / 1024 ** 3).toFixed(0)} GiB: ` +
      `${fmt(ceiling.perServerConnections)} connections (binding: ${ceiling.binding}).`,
    '',
    table(format, HEADER, rows(ceiling, 1)),
    '',
    report.failures.length === 0
      ? 'The profile carries its target.'
      : `The profile cannot carry its target:\n${report.failures.map((f) => `- ${f}`).join('\n')}`,
  ];
  return `${out.join('\n')}\n`;
}
