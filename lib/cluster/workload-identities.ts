import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CHAT_NAMESPACE, WORKLOAD_SERVICE_ACCOUNTS } from '../contract';
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
  /** The migrations Job's secrets (the database master user). */
  readonly migrations: readonly secretsmanager.ISecret[];
}

/** The PostgreSQL instances and the roles the apps log in as with IAM authentication. */
export interface WorkloadDatabase {
  /** The primary. */
  readonly primary: rds.IDatabaseInstance;
  /** The read replicas (the api reads there). */
  readonly replicas: readonly rds.IDatabaseInstance[];
  /** The database roles of the api and the worker. */
  readonly users: { readonly api: string; readonly worker: string };
}

/** Props for {@link WorkloadIdentities}. */
export interface WorkloadIdentitiesProps {
  /** The cluster the workloads run in. */
  readonly cluster: eks.ICluster;
  /** What each workload reads from Secrets Manager. */
  readonly secrets: WorkloadSecrets;
  /** PostgreSQL: the api connects as its role to every instance, the worker as its own to the primary. */
  readonly database: WorkloadDatabase;
}

/**
 * One Pod Identity role per chat workload (Kong included), each allowed exactly what its pods need: reading
 * its own secrets (and decrypting them with their keys), and for the api and the worker,
 * connecting to PostgreSQL as their own roles. Their search access is `WorkloadSearchAccess`'s.
 */
export class WorkloadIdentities extends Construct {
  /** The WebSocket gateway. */
  public readonly gateway: PodIdentityRole;
  /** The REST API. */
  public readonly api: PodIdentityRole;
  /** The stream worker (persists and indexes messages). */
  public readonly worker: PodIdentityRole;
  /** Kong (its initContainer reads the public token keys and the pub/sub cluster's AUTH token). */
  public readonly kong: PodIdentityRole;
  /** The migrations Job (the database master user: bootstrap of the roles and the schema). */
  public readonly migrations: PodIdentityRole;

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
    this.migrations = identity('Migrations', WORKLOAD_SERVICE_ACCOUNTS.migrations, 'Co-Talk database migrations Job');

    for (const secret of props.secrets.gateway) grantSecretRead(secret, this.gateway.role);
    for (const secret of props.secrets.api) grantSecretRead(secret, this.api.role);
    for (const secret of props.secrets.worker) grantSecretRead(secret, this.worker.role);
    for (const secret of props.secrets.kong) grantSecretRead(secret, this.kong.role);
    for (const secret of props.secrets.migrations) grantSecretRead(secret, this.migrations.role);
    // RDS IAM authentication: each app may connect as its own database role, nothing else.
    const { primary, replicas, users } = props.database;
    for (const instance of [primary, ...replicas]) instance.grantConnect(this.api.role, users.api);
    primary.grantConnect(this.worker.role, users.worker);
  }
}
