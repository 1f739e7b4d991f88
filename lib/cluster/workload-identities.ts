import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CHAT_NAMESPACE, WORKLOAD_SERVICE_ACCOUNTS } from '../contract';
import { acknowledgeResourceWildcards } from '../shared/acknowledge-resource-wildcards';
import { grantSecretRead } from '../shared/grant-secret-read';
import { PodIdentityRole } from './pod-identity-role';

/** The secrets each workload may read: its own connections' credentials, nothing else. */
export interface WorkloadSecrets {
  /** The WebSocket gateway's secrets. */
  readonly gateway: readonly secretsmanager.ISecret[];
  /** The REST API's secrets. */
  readonly api: readonly secretsmanager.ISecret[];
  /** The stream worker's secrets. */
  readonly worker: readonly secretsmanager.ISecret[];
  /** Kong's secrets, read by its pods' initContainer. */
  readonly kong: readonly secretsmanager.ISecret[];
}

/** Props for {@link WorkloadIdentities}. */
export interface WorkloadIdentitiesProps {
  /** The cluster the workloads run in. */
  readonly cluster: eks.ICluster;
  /** What each workload reads from Secrets Manager. */
  readonly secrets: WorkloadSecrets;
  /** The domain the worker indexes messages into (HTTP writes only). */
  readonly searchDomain: opensearch.IDomain;
}

/**
 * One Pod Identity role per chat workload (Kong included), each allowed exactly what its pods need: reading
 * its own secrets (and decrypting them with their keys), and for the worker, writing to the
 * search domain.
 */
export class WorkloadIdentities extends Construct {
  /** The WebSocket gateway. */
  public readonly gateway: PodIdentityRole;
  /** The REST API. */
  public readonly api: PodIdentityRole;
  /** The stream worker (persists and indexes messages). */
  public readonly worker: PodIdentityRole;
  /** Kong (its initContainer reads the token key and the pub/sub cluster's AUTH token). */
  public readonly kong: PodIdentityRole;

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    const identity = (identityId: string, serviceAccountName: string, description: string) =>
      new PodIdentityRole(this, identityId, {
        cluster: props.cluster,
        namespace: CHAT_NAMESPACE,
        serviceAccountName,
        description,
      });
    this.gateway = identity('Gateway', WORKLOAD_SERVICE_ACCOUNTS.gateway, 'Co-Talk WebSocket gateway pods');
    this.api = identity('Api', WORKLOAD_SERVICE_ACCOUNTS.api, 'Co-Talk REST API pods');
    this.worker = identity('Worker', WORKLOAD_SERVICE_ACCOUNTS.worker, 'Co-Talk stream worker pods');
    this.kong = identity('Kong', WORKLOAD_SERVICE_ACCOUNTS.kong, 'Co-Talk Kong API gateway pods');

    for (const secret of props.secrets.gateway) grantSecretRead(secret, this.gateway.role);
    for (const secret of props.secrets.api) grantSecretRead(secret, this.api.role);
    for (const secret of props.secrets.worker) grantSecretRead(secret, this.worker.role);
    for (const secret of props.secrets.kong) grantSecretRead(secret, this.kong.role);
    props.searchDomain.grantWrite(this.worker.role);
    acknowledgeResourceWildcards(
      this.worker.role,
      props.searchDomain.domainArn,
      ['/*'],
      'HTTP writes to the search domain: the worker creates its message indices, whose names it decides',
    );
  }
}
