/**
 * Container images must be immutable references, so a rollout runs exactly the code that was
 * reviewed and a node never pulls something else under the same name.
 */

const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** CDK Docker image assets are tagged with their 64-hex asset hash. */
const ASSET_HASH_TAG = /:[0-9a-f]{64}$/;
/** Third-party images (Kong) may be pinned to an exact release: x.y.z, no floating tags. */
const EXACT_VERSION_TAG = /:\d+\.\d+\.\d+$/;

/** What counts as pinned for one image. */
export type ImagePinning = 'digest-or-asset-hash' | 'digest-or-exact-version';

/**
 * Returns `image` when it is pinned as `pinning` requires; throws naming `field` otherwise.
 * A CDK image asset URI may carry tokens in its registry part; the tag is a literal hash.
 */
export function requirePinnedImage(field: string, image: string, pinning: ImagePinning): string {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (DIGEST.test(image)) return image;
  if (pinning === 'digest-or-asset-hash' && ASSET_HASH_TAG.test(lastSegment)) return image;
  if (pinning === 'digest-or-exact-version' && EXACT_VERSION_TAG.test(lastSegment)) return image;
  const allowed =
    pinning === 'digest-or-asset-hash'
      ? 'a digest (name@sha256:<64 hex>) or a CDK asset-hash tag (name:<64 hex>)'
      : 'a digest (name@sha256:<64 hex>) or an exact version tag (name:1.2.3)';
  throw new Error(`${field} "${image}" is not pinned: use ${allowed}; floating tags such as latest are refused`);
}
