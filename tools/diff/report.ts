import type { CostEstimate } from '../cost/estimate';
import { CATEGORY_LABELS, COST_CATEGORIES } from '../cost/price-table';
import { signedUsd, table, usd } from '../common/format';
import type { KubernetesObjectDiff } from './kubernetes';
import type { ResourceChange, StackDiff } from './stack-diff';

/** The diff of one profile: its changed stacks and its cost before and after. */
export interface ProfileDiff {
  readonly profile: string;
  readonly stacks: StackDiff[];
  readonly cost: { readonly before: CostEstimate; readonly after: CostEstimate };
}

/** Everything `npm run diff` found. */
export interface DiffReport {
  readonly base: string;
  readonly head: string;
  readonly profiles: ProfileDiff[];
  /** Per-object changes of the rendered chart YAML (`charts/dist/`), which is not per profile. */
  readonly charts: KubernetesObjectDiff[];
  readonly allowStateful: boolean;
  /** Append the diff library's full property-level rendering to each stack. */
  readonly details?: boolean;
}

/** Replacements and removals of data-holding resources, over every profile. */
export function hazardsOf(report: DiffReport): { profile: string; stack: string; change: ResourceChange }[] {
  return report.profiles.flatMap((p) =>
    p.stacks.flatMap((s) => s.hazards.map((change) => ({ profile: p.profile, stack: s.stack, change }))),
  );
}

/** Characters of a Markdown report before stacks are only summarized (GitHub caps comments at 65,536). */
const MARKDOWN_BUDGET = 55_000;

/** Most lines of one Kubernetes object patch shown in a PR comment (GitHub caps comments at 65,536 characters). */
const MARKDOWN_PATCH_LINES = 60;

/** Renders the report as text for a terminal or Markdown for a pull-request comment. */
export function renderDiffReport(report: DiffReport, format: 'text' | 'markdown'): string {
  const md = format === 'markdown';
  const out: string[] = [];
  const h = (level: number, text: string) =>
    out.push(md ? `${'#'.repeat(level + 1)} ${text}` : level === 1 ? `== ${text} ==` : `-- ${text}`, '');

  h(1, `Infrastructure diff: ${report.base} -> ${report.head}`);
  const hazards = hazardsOf(report);
  if (hazards.length > 0) {
    const verdict = report.allowStateful
      ? 'allowed with --allow-stateful-replacement'
      : 'the diff fails; rerun with --allow-stateful-replacement once the data is safe';
    out.push(
      md
        ? `> [!CAUTION]\n> **${hazards.length} stateful resource(s) would be REPLACED or REMOVED: data loss.** (${verdict})`
        : `!!! ${hazards.length} STATEFUL RESOURCE(S) WOULD BE REPLACED OR REMOVED: DATA LOSS !!! (${verdict})`,
      '',
    );
    out.push(
      table(
        ['profile', 'stack', 'resource', 'type', 'change', 'why'],
        hazards.map((x) => [
          x.profile,
          x.stack,
          x.change.path,
          x.change.type,
          x.change.kind.toUpperCase(),
          x.change.properties.join(', '),
        ]),
        md,
      ),
      '',
    );
  }

  const changed = report.profiles.filter((p) => p.stacks.length > 0 || costChanged(p));
  if (changed.length === 0 && report.charts.length === 0) out.push('No changes.', '');

  for (const p of report.profiles) {
    const { before, after } = p.cost;
    h(
      2,
      `Profile ${md ? `\`${p.profile}\`` : p.profile}: ${p.stacks.length} stack(s) changed; monthly cost ${usd(before.totalUsd)} -> ${usd(after.totalUsd)} (${signedUsd(after.totalUsd - before.totalUsd)})`,
    );
    const costRows = COST_CATEGORIES.filter(
      (c) => Math.round(before.byCategory[c]) !== Math.round(after.byCategory[c]),
    ).map((c) => [
      CATEGORY_LABELS[c],
      usd(before.byCategory[c]),
      usd(after.byCategory[c]),
      signedUsd(after.byCategory[c] - before.byCategory[c]),
    ]);
    if (costRows.length > 0) out.push(table(['cost category', 'before', 'after', 'delta'], costRows, md), '');
    const newlyUnpriced = after.unpriced.filter(
      (l) => !before.unpriced.some((b) => b.path === l.path && b.description === l.description),
    );
    if (newlyUnpriced.length > 0) {
      out.push(
        `Not priced (the delta leaves them out): ${newlyUnpriced.map((l) => `${l.path}: ${l.description} (${l.unpriced})`).join('; ')}`,
        '',
      );
    }
    for (const s of p.stacks) {
      const section: string[] = [];
      renderStack(s, md, section, report.details ?? false);
      // A PR comment has a size cap: past the budget, a stack shrinks to its counts.
      const size = out.join('\n').length + section.join('\n').length;
      if (md && size > MARKDOWN_BUDGET) out.push(summarizeStack(s), '');
      else out.push(...section);
    }
  }

  if (report.charts.length > 0) {
    h(2, `Rendered charts (charts/dist): ${report.charts.length} object(s) changed`);
    renderKubernetes(report.charts, md, out);
  }
  return out.join('\n').trimEnd() + '\n';
}

function renderStack(s: StackDiff, md: boolean, out: string[], details: boolean): void {
  out.push(md ? `#### Stack \`${s.stack}\`` : `Stack ${s.stack}`, '');
  if (s.iam.length > 0 || s.securityGroups.length > 0) {
    const label = s.widens ? 'Access WIDENS' : 'Access changes';
    out.push(
      md
        ? `**${label}** (IAM and security groups, + granted, - revoked):`
        : `${label} (IAM and security groups, + granted, - revoked):`,
      '',
    );
    if (s.iam.length > 0)
      out.push(table(['', 'resource', 'effect', 'action', 'principal', 'condition'], sortWidening(s.iam), md), '');
    if (s.securityGroups.length > 0)
      out.push(table(['', 'group', 'direction', 'protocol', 'peer'], sortWidening(s.securityGroups), md), '');
  }
  const order: Record<string, number> = {
    removed: 0,
    replaced: 1,
    'may be replaced': 2,
    orphaned: 3,
    updated: 4,
    added: 5,
  };
  const rows = [...s.resources]
    .sort((a, b) => order[a.kind] - order[b.kind] || a.path.localeCompare(b.path))
    .map((r) => [r.stateful ? `${r.kind.toUpperCase()} (stateful)` : r.kind, r.path, r.type, r.properties.join(', ')]);
  if (rows.length > 0) {
    const counts = Object.keys(order)
      .map((k) => [k, s.resources.filter((r) => r.kind === k).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`);
    out.push(`Resources: ${counts.join(', ')}`, '');
    out.push(table(['change', 'resource', 'type', 'properties'], rows, md), '');
  }
  if (s.otherChanges > 0) out.push(`Outputs, parameters or other template sections: ${s.otherChanges} change(s).`, '');
  if (s.kubernetes.length > 0) {
    out.push(`Kubernetes objects: ${s.kubernetes.length} changed`, '');
    renderKubernetes(s.kubernetes, md, out);
  }
  if (details && s.details) {
    out.push(
      md
        ? `<details><summary>Full diff of ${s.stack}</summary>\n\n\`\`\`\n${s.details}\n\`\`\`\n</details>`
        : s.details,
      '',
    );
  }
}

function renderKubernetes(diffs: readonly KubernetesObjectDiff[], md: boolean, out: string[]): void {
  for (const d of diffs) {
    let lines = d.patch.split('\n');
    if (md && lines.length > MARKDOWN_PATCH_LINES) {
      lines = [
        ...lines.slice(0, MARKDOWN_PATCH_LINES),
        `... ${lines.length - MARKDOWN_PATCH_LINES} more lines (run npm run diff locally)`,
      ];
    }
    if (md)
      out.push(
        `<details><summary>${d.change}: <code>${d.key}</code> (${d.source})</summary>\n\n\`\`\`diff\n${lines.join('\n')}\n\`\`\`\n</details>`,
        '',
      );
    else out.push(`${d.change}: ${d.key} (${d.source})`, lines.map((l) => `  ${l}`).join('\n'), '');
  }
}

function summarizeStack(s: StackDiff): string {
  const counts = new Map<string, number>();
  for (const r of s.resources) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${kind}`);
  if (s.iam.length + s.securityGroups.length > 0)
    parts.push(`${s.iam.length + s.securityGroups.length} access change(s)${s.widens ? ', WIDENING' : ''}`);
  if (s.kubernetes.length > 0) parts.push(`${s.kubernetes.length} Kubernetes object(s)`);
  return `#### Stack \`${s.stack}\` (summarized to fit the comment; run \`npm run diff\` for the whole diff): ${parts.join(', ')}`;
}

/** Grants (+) before revocations (-): what widens access is read first. */
function sortWidening(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => (a[0] === b[0] ? 0 : a[0] === '+' ? -1 : 1));
}

function costChanged(p: ProfileDiff): boolean {
  return Math.round(p.cost.before.totalUsd) !== Math.round(p.cost.after.totalUsd);
}
