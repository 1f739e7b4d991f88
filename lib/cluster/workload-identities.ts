import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';

/** The namespace the chat workloads run in; the charts create it. */
export const WORKLOAD_NAMESPACE = 'co-talk';

/** The chat workloads that call AWS APIs, with the service account each runs as. */
export const WORKLOAD_SERVICE_ACCOUNTS = { gateway: 'gateway', api: 'api', worker: 'worker' } as const;

/** Props for {@link WorkloadIdentities}. */
export interface WorkloadIdentitiesProps {
  /** The cluster the workloads run in. */
  readonly cluster: eks.ICluster;
}

/**
 * One Pod Identity role per chat workload, each starting with no permission at all: the stack
 * grants each exactly what it needs (`secret.grantRead(identities.api.role)`, ...).
 */
export class WorkloadIdentities extends Construct {
  /** The WebSocket gateway. */
  public readonly gateway: PodIdentityRole;
  /** The REST API. */
  public readonly api: PodIdentityRole;
  /** The stream worker (indexes messages into OpenSearch). */
  public readonly worker: PodIdentityRole;

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    const identity = (identityId: string, serviceAccountName: string, description: string) =>
      new PodIdentityRole(this, identityId, {
        cluster: props.cluster,
        namespace: WORKLOAD_NAMESPACE,
        serviceAccountName,
        description,
      });
    this.gateway = identity('Gateway', WORKLOAD_SERVICE_ACCOUNTS.gateway, 'Co-Talk WebSocket gateway pods');
    this.api = identity('Api', WORKLOAD_SERVICE_ACCOUNTS.api, 'Co-Talk REST API pods');
    this.worker = identity('Worker', WORKLOAD_SERVICE_ACCOUNTS.worker, 'Co-Talk stream worker pods');
  }
}
