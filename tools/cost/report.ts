import { signedUsd, table, usd } from '../common/format';
import { DESIGN_ESTIMATE } from './design-estimate';
import { type CostEstimate, NOT_ESTIMATED } from './estimate';
import { CATEGORY_LABELS, COST_CATEGORIES, type PriceTable } from './price-table';

export type ReportFormat = 'text' | 'markdown';

/**
 * The cost report of one profile: per category, the estimate beside the design document's
 * figure, then every priced line, every unpriced line, and what a template cannot tell.
 */
export function renderCostReport(
  profile: string,
  estimate: CostEstimate,
  prices: PriceTable,
  format: ReportFormat,
): string {
  const design = new Map<string, number>();
  for (const row of DESIGN_ESTIMATE.rows) design.set(row.category, (design.get(row.category) ?? 0) + row.monthlyUsd);
  const designTotal = DESIGN_ESTIMATE.rows.reduce((a, r) => a + r.monthlyUsd, 0);
  const designTotalComparable = designTotal - (design.get('dataTransfer') ?? 0);

  const summary: string[][] = [];
  for (const category of COST_CATEGORIES) {
    const ours = estimate.byCategory[category];
    const theirs = design.get(category);
    if (ours === 0 && theirs === undefined) continue;
    // Data transfer is usage, not in any template: shown beside the design figure, never subtracted.
    const estimated = category === 'dataTransfer';
    summary.push([
      CATEGORY_LABELS[category],
      estimated ? 'not estimated' : usd(ours),
      theirs === undefined ? '-' : usd(theirs),
      theirs === undefined || estimated ? '' : signedUsd(ours - theirs),
    ]);
  }
  summary.push([
    'Total',
    usd(estimate.totalUsd),
    `${usd(designTotal)} (stated ~${usd(DESIGN_ESTIMATE.statedTotalUsd)})`,
    `${signedUsd(estimate.totalUsd - designTotalComparable)} (without data transfer)`,
  ]);

  const detail = estimate.lines
    .filter((l) => l.monthlyUsd !== undefined)
    .sort((a, b) => (b.monthlyUsd ?? 0) - (a.monthlyUsd ?? 0))
    .map((l) => [l.stack, l.path, l.description, usd(l.monthlyUsd ?? 0)]);
  const unpriced = estimate.unpriced.map((l) => [l.stack, l.path, l.description, l.unpriced ?? '']);

  const md = format === 'markdown';
  const out: string[] = [];
  out.push(md ? `### Monthly cost estimate: \`${profile}\`` : `Monthly cost estimate: ${profile}`);
  out.push('');
  out.push(
    `On-demand prices for ${prices.region} as of ${prices.pricedOn} (${prices.source}), ${prices.hoursPerMonth} hours a month. ` +
      `The design document's table describes the \`${DESIGN_ESTIMATE.profile}\` profile.`,
  );
  out.push('');
  out.push(table(['category', 'estimate', 'design document', 'difference'], summary, md));
  if (estimate.unpriced.length > 0) {
    out.push('');
    out.push(`${md ? '**' : ''}Not priced (${estimate.unpriced.length}); the total leaves them out:${md ? '**' : ''}`);
    out.push('');
    out.push(table(['stack', 'resource', 'what', 'why'], unpriced, md));
  }
  out.push('');
  out.push(md ? '<details><summary>Priced lines</summary>\n' : 'Priced lines:');
  out.push('');
  out.push(table(['stack', 'resource', 'what', 'monthly'], detail, md));
  if (md) out.push('\n</details>');
  out.push('');
  out.push(`Not estimated from templates: ${NOT_ESTIMATED.join('; ')}.`);
  return out.join('\n');
}
