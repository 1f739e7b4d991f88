import * as fs from 'node:fs';
import * as path from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';

/**
 * The apps' workspace: every image's build context (its Dockerfiles expect it). Found upwards
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

/** The apps built into images, each from `<app>/Dockerfile`. */
export const APP_NAMES = ['gateway', 'api', 'worker'] as const;
/** One of the apps. */
export type AppName = (typeof APP_NAMES)[number];

/**
 * What one image's build context leaves out, on top of the workspace's `.dockerignore` (an
 * allow-list of sources and package manifests, read by the CDK in Docker syntax). Later lines win:
 * the other apps' sources go, so an image's asset hash changes only with its own code, `common/`
 * or the package and lock files; dependencies, tests, benches and bundles never enter.
 */
export function imageExcludes(app: AppName): string[] {
  const others = APP_NAMES.filter((other) => other !== app);
  return [
    ...others.flatMap((other) => [`${other}/src`, `${other}/migrations`]),
    '**/node_modules',
    '**/test',
    '**/*.test.ts',
    '**/dist',
    'bench',
    'scripts',
    // The CDK keeps only a root-level Dockerfile by itself; ours sits in the app's folder.
    `!${app}/Dockerfile`,
  ];
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
    const image = (imageId: string, app: AppName) =>
      new ecrAssets.DockerImageAsset(this, imageId, {
        directory: props.directory ?? APPS_DIR,
        file: `${app}/Dockerfile`,
        platform,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: imageExcludes(app),
      });
    this.gateway = image('GatewayImage', 'gateway');
    this.api = image('ApiImage', 'api');
    this.worker = image('WorkerImage', 'worker');
  }

  /**
   * The image's URI with its asset-hash tag spelled out: the same reference as `imageUri`, but
   * with the tag as a literal, so the charts can check that the image is pinned.
   */
  public static pinnedUri(asset: ecrAssets.DockerImageAsset): string {
    return asset.repository.repositoryUriForTag(asset.imageTag);
  }
}
