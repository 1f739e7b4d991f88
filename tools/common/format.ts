/** Report formatting shared by the tools: money and tables. */

/** Formats whole dollars: `$1,234`. */
export function usd(value: number): string {
  const sign = value < 0 ? '-' : '';
  return `${sign}$${Math.round(Math.abs(value)).toLocaleString('en-US')}`;
}

/** `+$12` / `-$12` / `$0`. */
export function signedUsd(value: number): string {
  if (Math.round(value) === 0) return '$0';
  return `${value > 0 ? '+' : ''}${usd(value)}`;
}

/** A plain-text or Markdown table; multi-line cells (IAM actions, conditions) are folded onto one line. */
export function table(header: string[], rows: string[][], markdown: boolean): string {
  const fold = (cell: string | undefined) => (cell ?? '').replace(/\s*\n\s*/g, markdown ? '<br>' : ' ');
  const body = rows.map((r) => r.map(fold));
  if (markdown) {
    const esc = (cell: string) => cell.replace(/\|/g, '\\|');
    return [header, header.map(() => '---'), ...body].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
