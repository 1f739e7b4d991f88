import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderCoTalkYaml } from '../../charts/render';
import { loadProfile } from '../../lib/config';

/**
 * charts/dist/prod/ is the reviewed rendering of the prod charts: a chart change shows up in a
 * pull request as a plain YAML diff, and this test fails until that diff is committed.
 */
describe('committed prod YAML (charts/dist/prod)', () => {
  const committedDir = path.join(__dirname, '..', '..', 'charts', 'dist', 'prod');
  const renderedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-dist-'));
  const rendered = renderCoTalkYaml(loadProfile('prod'), renderedDir).map((f) => path.basename(f));
  afterAll(() => fs.rmSync(renderedDir, { recursive: true, force: true }));

  const update = 'out of date: run `npm run synth:k8s -- -c env=prod`, review the diff and commit charts/dist/prod/';

  test('holds exactly the rendered files', () => {
    const committed = fs.existsSync(committedDir) ? fs.readdirSync(committedDir).sort() : [];
    expect({ files: committed, hint: committed.join() === rendered.join() ? '' : update }).toEqual({
      files: rendered,
      hint: '',
    });
  });

  test.each(rendered)('%s matches the rendering', (file) => {
    const committedFile = path.join(committedDir, file);
    const committed = fs.existsSync(committedFile) ? fs.readFileSync(committedFile, 'utf8') : '';
    const fresh = fs.readFileSync(path.join(renderedDir, file), 'utf8');
    if (committed !== fresh) throw new Error(`charts/dist/prod/${file} is ${update}`);
  });
});
