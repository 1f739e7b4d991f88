import { signedUsd, table, usd } from '../common/format';
import { DESIGN_ESTIMATE } from './design-estimate';
import { type CostEstimate, type CostLine, type CostTotals, NOT_ESTIMATED } from './estimate';
import { CATEGORY_LABELS, type PriceTable } from './price-table';

export type ReportFormat = 'text' | 'markdown' | 'json';

/** The design document's lines may exceed their figure by this much before the report asks why. */
export const DESIGN_TOLERANCE = 0.15;

/** The profile's always-on extras: what it chose to create, with its reasons, and what it left out. */
export interface ExtraChoices {
  readonly natGateways: number;
  readonly zones: number;
  /** Every endpoint the profile may create, with the profile's reason when it creates it. */
  readonly interfaceEndpoints: readonly { readonly name: string; readonly reason?: string }[];
}

/** Why a part the design's table has no line for is there at all. */
const NOT_IN_DESIGN: Readonly<Record<string, string>> = {
  system: "nodes for the add-ons, Kong, the worker and monitoring (the design's table prices only the app servers)",
  ebs: 'instance disks',
  nat: 'NAT gateway hours: a profile choice (network.natGateways), see the extras below',
  network: 'interface endpoints: a profile choice (network.interfaceEndpoints), see the extras below',
  other: 'KMS keys, secrets and alarms',
};

interface Row {
  readonly item: string;
  readonly design?: number;
  readonly totals: CostTotals;
  readonly note: string;
}

/**
 * The cost report of one profile: each line of the design document's table beside what the
 * templates price for it (on demand, Reserved, Spot), the parts the design's table has no line for,
 * the three totals beside the design's $3,800 / $2,700 / $1,900, the profile's always-on extras,
 * then every priced line, every unpriced line or missing rate, and what a template cannot tell.
 */
export function renderCostReport(
  profile: string,
  estimate: CostEstimate,
  prices: PriceTable,
  format: ReportFormat,
  choices?: ExtraChoices,
): string {
  const rows = designRows(estimate);
  const design: CostTotals = {
    onDemand: DESIGN_ESTIMATE.statedTotalUsd,
    reserved: DESIGN_ESTIMATE.statedReservedUsd,
    spot: DESIGN_ESTIMATE.statedSpotUsd,
  };
  const endpointMonthly = prices.hourly.interfaceEndpointPerAz * (choices?.zones ?? 3) * prices.hoursPerMonth;
  const extras = choices
    ? [
        {
          item: `NAT gateways x ${choices.natGateways}`,
          created: true,
          monthlyUsd: choices.natGateways * prices.hourly.natGateway * prices.hoursPerMonth,
          reason: 'network.natGateways: 3 keeps each zone its own egress, 1 costs a third',
        },
        ...choices.interfaceEndpoints.map((e) => ({
          item: `${e.name} interface endpoint x ${choices.zones} zones`,
          created: e.reason !== undefined,
          monthlyUsd: endpointMonthly,
          reason: e.reason ?? 'not created: reached through the NAT gateway',
        })),
      ]
    : [];

  if (format === 'json') {
    const money = (t: CostTotals) => ({
      onDemand: round(t.onDemand),
      reserved: round(t.reserved),
      spot: round(t.spot),
    });
    return JSON.stringify(
      {
        profile,
        region: prices.region,
        pricedOn: { onDemand: prices.pricedOn, reserved: prices.reserved.pricedOn, spot: prices.spot.pricedOn },
        totals: money(estimate.totals),
        design: design,
        rows: rows.map((r) => ({ item: r.item, design: r.design, ...money(r.totals), note: r.note })),
        extras: extras.map((e) => ({ ...e, monthlyUsd: round(e.monthlyUsd) })),
        unpriced: estimate.unpriced.map((l) => ({
          stack: l.stack,
          path: l.path,
          what: l.description,
          why: l.unpriced,
        })),
        missingRates: estimate.missingRates.map((l) => ({ stack: l.stack, path: l.path, rates: l.missingRates })),
      },
      null,
      2,
    );
  }

  const md = format === 'markdown';
  const bold = (s: string) => (md ? `**${s}**` : s);
  const out: string[] = [];
  out.push(md ? `### Monthly cost estimate: \`${profile}\`` : `Monthly cost estimate: ${profile}`);
  out.push('');
  out.push(
    `Prices for ${prices.region}, ${prices.hoursPerMonth} hours a month: on demand as of ${prices.pricedOn} (${prices.source}); ` +
      `Reserved (${prices.reserved.term}) as of ${prices.reserved.pricedOn} (${prices.reserved.source}); ` +
      `Spot as of ${prices.spot.pricedOn}, ${prices.spot.averagedOver} (${prices.spot.source}). ` +
      `The Spot column prices the node groups that run Spot at Spot rates and everything else as in the Reserved column. ` +
      `The design document's table describes the \`${DESIGN_ESTIMATE.profile}\` profile.`,
  );
  out.push('');
  out.push(
    table(
      ['line', 'design document', 'on demand', 'difference', 'Reserved', 'Spot', 'note'],
      rows.map((r) => [
        r.item,
        r.design === undefined ? '-' : usd(r.design),
        usd(r.totals.onDemand),
        r.design === undefined ? '' : signedUsd(r.totals.onDemand - r.design),
        usd(r.totals.reserved),
        usd(r.totals.spot),
        r.note,
      ]),
      md,
    ),
  );
  out.push('');
  const totalsRow = (label: string, t: CostTotals) => [label, usd(t.onDemand), usd(t.reserved), usd(t.spot)];
  out.push(
    table(
      ['total', 'on demand', `Reserved (${prices.reserved.term})`, 'Spot'],
      [
        totalsRow('estimate', estimate.totals),
        totalsRow('design document', design),
        [
          'difference',
          signedUsd(estimate.totals.onDemand - design.onDemand),
          signedUsd(estimate.totals.reserved - design.reserved),
          signedUsd(estimate.totals.spot - design.spot),
        ],
      ],
      md,
    ),
  );
  if (extras.length > 0) {
    out.push('');
    out.push(bold('Always-on extras (profile choices):'));
    out.push('');
    out.push(
      table(
        ['extra', 'created', 'monthly', 'reason'],
        extras.map((e) => [e.item, e.created ? 'yes' : 'no', usd(e.monthlyUsd), e.reason]),
        md,
      ),
    );
  }
  if (estimate.unpriced.length > 0) {
    out.push('');
    out.push(bold(`Not priced (${estimate.unpriced.length}); the total leaves them out:`));
    out.push('');
    out.push(
      table(
        ['stack', 'resource', 'what', 'why'],
        estimate.unpriced.map((l) => [l.stack, l.path, l.description, l.unpriced ?? '']),
        md,
      ),
    );
  }
  if (estimate.missingRates.length > 0) {
    out.push('');
    out.push(
      bold(`Missing Reserved or Spot rates (${estimate.missingRates.length}); those totals leave the lines out:`),
    );
    out.push('');
    out.push(
      table(
        ['stack', 'resource', 'what', 'missing rate'],
        estimate.missingRates.map((l) => [l.stack, l.path, l.description, (l.missingRates ?? []).join(', ')]),
        md,
      ),
    );
  }
  const detail = estimate.lines
    .filter((l) => l.monthlyUsd !== undefined)
    .sort((a, b) => (b.monthlyUsd ?? 0) - (a.monthlyUsd ?? 0))
    .map((l) => [
      l.stack,
      l.path,
      l.description,
      usd(l.monthlyUsd ?? 0),
      optionalUsd(l.reservedUsd),
      optionalUsd(l.spotUsd),
    ]);
  out.push('');
  out.push(md ? '<details><summary>Priced lines</summary>\n' : 'Priced lines:');
  out.push('');
  out.push(table(['stack', 'resource', 'what', 'on demand', 'Reserved', 'Spot'], detail, md));
  if (md) out.push('\n</details>');
  out.push('');
  out.push(`Not estimated from templates: ${NOT_ESTIMATED.join('; ')}.`);
  return out.join('\n');
}

/**
 * The design document's lines, each with the estimate's lines it stands for (a node group row:
 * that role's instances and disks), then what the design's table has no line for.
 */
function designRows(estimate: CostEstimate): Row[] {
  const claimed = new Set<CostLine>();
  const sum = (lines: CostLine[]): CostTotals => ({
    onDemand: lines.reduce((a, l) => a + (l.monthlyUsd ?? 0), 0),
    reserved: lines.reduce((a, l) => a + (l.reservedUsd ?? 0), 0),
    spot: lines.reduce((a, l) => a + (l.spotUsd ?? 0), 0),
  });
  const rows: Row[] = DESIGN_ESTIMATE.rows.map((row) => {
    const lines = estimate.lines.filter((l) =>
      row.nodeRole !== undefined
        ? l.nodeRole === row.nodeRole
        : l.category === row.category && l.nodeRole === undefined,
    );
    lines.forEach((l) => claimed.add(l));
    const totals = sum(lines);
    const over = totals.onDemand / row.monthlyUsd - 1;
    const note =
      lines.length === 0
        ? row.category === 'dataTransfer'
          ? 'usage: not in a template, not counted'
          : 'nothing in the templates'
        : over > DESIGN_TOLERANCE
          ? `${Math.round(over * 100)}% over the design's figure (more than ${DESIGN_TOLERANCE * 100}%)`
          : 'within the design';
    return { item: row.item, design: row.monthlyUsd, totals, note };
  });
  const rest = new Map<string, CostLine[]>();
  for (const line of estimate.lines) {
    if (claimed.has(line)) continue;
    const key = line.nodeRole ?? line.category;
    rest.set(key, [...(rest.get(key) ?? []), line]);
  }
  for (const [key, lines] of rest) {
    const label = key in CATEGORY_LABELS ? CATEGORY_LABELS[key as keyof typeof CATEGORY_LABELS] : `EC2 ${key} nodes`;
    rows.push({ item: label, totals: sum(lines), note: `not in the design's table: ${NOT_IN_DESIGN[key] ?? key}` });
  }
  return rows;
}

function optionalUsd(value: number | undefined): string {
  return value === undefined ? 'rate missing' : usd(value);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
