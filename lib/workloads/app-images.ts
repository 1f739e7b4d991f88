import * as fs from 'node:fs';
import * as path from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';

/**
 * The apps' workspace: every image's build context (`apps/Dockerfile` expects it). Found upwards
 * from this file, since synth runs it from `lib/` (tests) or from the bundle in `build/`.
 */
export const APPS_DIR = findAppsDir(__dirname);

function findAppsDir(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json')) && fs.existsSync(path.join(dir, 'apps', 'package.json'))) {
      return path.join(dir, 'apps');
    }
  }
  throw new Error(`apps/ not found above ${from}: the images are built from the repository's apps/ folder`);
}

/** The apps built into images, each a target of `apps/Dockerfile`. */
export const APP_NAMES = ['gateway', 'api', 'worker'] as const;
/** One of the apps. */
export type AppName = (typeof APP_NAMES)[number];

/** What an app's image is built from besides its manifest, `common/` and the workspace root's files. */
const APP_SOURCES: Record<AppName, readonly string[]> = {
  gateway: ['gateway/src'],
  api: ['api/src', 'api/migrations'],
  worker: ['worker/src'],
};

/**
 * The one definition of an image's build context, as Docker-syntax patterns over `apps/` (later
 * lines win): an allow-list of the Dockerfile, the workspace root's manifest and lock file, and
 * `common/` and the app's own manifest and sources, so its asset hash changes only with its own
 * code, `common/` or the lock file. Other apps, dependencies, tests, benches and bundles never enter.
 */
export function imageContext(app: AppName): string[] {
  return [
    '*',
    '!Dockerfile',
    '!package.json',
    '!package-lock.json',
    '!common/package.json',
    '!common/src',
    `!${app}/package.json`,
    ...APP_SOURCES[app].map((source) => `!${source}`),
    '**/test',
    '**/*.test.ts',
  ];
}

/** Builds one app's image from `apps/Dockerfile`: its workspace (build argument) and runtime (target). */
export function appImage(
  scope: Construct,
  id: string,
  app: AppName,
  options: { readonly directory: string; readonly platform: ecrAssets.Platform },
): ecrAssets.DockerImageAsset {
  return new ecrAssets.DockerImageAsset(scope, id, {
    directory: options.directory,
    file: 'Dockerfile',
    buildArgs: { APP: app },
    target: app,
    platform: options.platform,
    ignoreMode: IgnoreMode.DOCKER,
    exclude: imageContext(app),
  });
}

/** Props for {@link AppImages}. */
export interface AppImagesProps {
  /** Build for the Graviton nodes (linux/arm64) rather than linux/amd64. */
  readonly graviton: boolean;
  /** The apps' workspace. @default APPS_DIR */
  readonly directory?: string;
}

/**
 * The three app images as CDK Docker image assets: built from `apps/` at deploy and pushed to
 * the bootstrap ECR repository, tagged with the asset hash (so the URI pins the exact build).
 */
export class AppImages extends Construct {
  /** The WebSocket gateway image. */
  public readonly gateway: ecrAssets.DockerImageAsset;
  /** The REST API image (also runs the migrations). */
  public readonly api: ecrAssets.DockerImageAsset;
  /** The stream worker image. */
  public readonly worker: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, props: AppImagesProps) {
    super(scope, id);
    const platform = props.graviton ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64;
    const options = { directory: props.directory ?? APPS_DIR, platform };
    this.gateway = appImage(this, 'GatewayImage', 'gateway', options);
    this.api = appImage(this, 'ApiImage', 'api', options);
    this.worker = appImage(this, 'WorkerImage', 'worker', options);
  }

  /**
   * The image's URI with its asset-hash tag spelled out: the same reference as `imageUri`, but
   * with the tag as a literal, so the charts can check that the image is pinned.
   */
  public static pinnedUri(asset: ecrAssets.DockerImageAsset): string {
    return asset.repository.repositoryUriForTag(asset.imageTag);
  }
}
