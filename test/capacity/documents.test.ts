import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateCapacity } from '../../lib/capacity';
import { loadProfile } from '../../lib/config';

/**
 * One number per server in the documents, taken from the model: every "N per server" a document
 * cites for prod is the profile's target, what the model computes for prod's server, or what it
 * computes for a server at the vertical size; the capacity sections state the last two.
 */
const report = evaluateCapacity(loadProfile('prod'));
const fmt = (n: number) => n.toLocaleString('en-US');
const read = (file: string) => readFileSync(join(__dirname, '../..', file), 'utf8');

const DOCUMENTS = ['README.md', 'apps/gateway/README.md', 'lib/capacity/README.md', 'lib/edge/README.md'];
const STATING = ['README.md', 'apps/gateway/README.md'];

test.each(DOCUMENTS)('%s cites no per-server figure the model does not give', (file) => {
  const allowed = [report.targetPerServer, report.perServerConnections, report.ceilingPerServerConnections].map(fmt);
  const cited = [...read(file).matchAll(/(\d{1,3}(?:,\d{3})+) (?:connections )?(?:per|a) server\b/g)].map((m) => m[1]);
  for (const figure of cited) expect(allowed).toContain(figure);
});

test.each(STATING)(
  "%s states prod's capacity per server and the vertical ceiling as the model computes them",
  (file) => {
    const text = read(file);
    expect(text).toContain(`${fmt(report.perServerConnections)} connections per server`);
    expect(text).toContain(`${fmt(report.ceilingPerServerConnections)} connections per server at the vertical size`);
  },
);
