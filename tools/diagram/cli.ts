import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseToolArgs, profilesFromContext, runMain } from '../common/args';
import { readAssembly } from '../common/assembly';
import { synthesize } from '../common/synth';
import { renderMermaid } from './mermaid';
import { diagramBlock, replaceDiagram } from './readme-block';

/** The profile the README pictures: the design brief's target column. */
export const DIAGRAM_PROFILE = 'prod';

/**
 * Synthesizes `profile` from `repoDir` and returns the README block picturing it; `context` adds
 * the rest of the `-c` values (the alert destinations a non-dev profile needs).
 */
export async function generateDiagramBlock(
  repoDir: string,
  profile: string,
  context: Record<string, unknown> = {},
): Promise<string> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-diagram-'));
  try {
    const stacks = readAssembly(await synthesize({ repoDir, outdir: work, context: { ...context, env: profile } }));
    return diagramBlock(renderMermaid(stacks), profile);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values, context } = parseToolArgs(process.argv.slice(2), {
    check: { type: 'boolean', default: false },
  });
  const [profile] = profilesFromContext(context, [DIAGRAM_PROFILE]);
  const repoDir = path.resolve(__dirname, '..', '..');
  const readmeFile = path.join(repoDir, 'README.md');
  const readme = fs.readFileSync(readmeFile, 'utf8');
  const updated = replaceDiagram(readme, await generateDiagramBlock(repoDir, profile, context));
  if (values.check) {
    if (updated === readme) return 0;
    console.error('The architecture diagram in README.md is out of date: run npm run diagram and commit README.md');
    return 1;
  }
  fs.writeFileSync(readmeFile, updated);
  console.log(
    updated === readme ? 'README.md diagram already up to date.' : `Updated the ${profile} diagram in README.md.`,
  );
  return 0;
}

if (require.main === module) runMain(main);
