import { EKSClient } from '@aws-sdk/client-eks';
import { AWS_MAX_ATTEMPTS, describeAwsError } from '../common/aws-errors';

/**
 * An EKS client for operator commands: adaptive retries (the SDK backs off on throttling and
 * rate-limits itself) with a few more attempts than the default three, since status and
 * upgrade checks fan out one call per node group and add-on.
 */
export function createEksClient(region: string): EKSClient {
  return new EKSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS, retryMode: 'adaptive' });
}

/** A cluster command's failure, already phrased for the operator. */
export class ClusterCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterCommandError';
  }
}

/** Runs `fn`, turning SDK failures into one clear line; "not found" names the cluster and region. */
export async function withEksErrors<T>(clusterName: string, region: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ClusterCommandError) throw error;
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new ClusterCommandError(
        `No EKS cluster named "${clusterName}" in ${region} (${(error as Error).message}). ` +
          `Check the profile is deployed there; aws eks list-clusters --region ${region} lists the clusters.`,
      );
    }
    throw new ClusterCommandError(describeAwsError(error, `EKS in ${region}`));
  }
}
