import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { logRetention } from '../shared/log-retention';
import { ChatCluster } from './chat-cluster';
import { ChatNodeGroups } from './chat-node-groups';
import { ClusterAddons } from './cluster-addons';
import { ClusterAutoscaler } from './cluster-autoscaler';
import { LoadBalancerController } from './load-balancer-controller';
import { WorkloadIdentities, type WorkloadDatabase, type WorkloadSecrets } from './workload-identities';
import { WorkloadSearchAccess } from './workload-search-access';

/** Props for {@link ClusterStack}. */
export interface ClusterStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /** The VPC from the network stack. */
  readonly vpc: ec2.IVpc;
  /** The security group the data stores trust; every node carries it. */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
  /** The secrets each chat workload reads; its Pod Identity role may read exactly these. */
  readonly workloadSecrets: WorkloadSecrets;
  /** The search domain the worker indexes messages into and the api searches. */
  readonly searchDomain: opensearch.IDomain;
  /** The search domain's master user: the setup of the apps' search roles reads it at deploy time, nothing else here. */
  readonly searchMasterUserSecret: secretsmanager.ISecret;
  /** PostgreSQL instances and app roles, for the workloads' IAM database authentication. */
  readonly database: WorkloadDatabase;
}

/**
 * The EKS cluster and what runs on it before any chat workload: node groups, managed add-ons,
 * the load balancer controller, the node autoscaler and the workloads' Pod Identity roles.
 * Stateless: replacing this stack loses no data.
 */
export class ClusterStack extends Stack {
  /** The cluster; other stacks add Helm charts and manifests through its kubectl provider. */
  public readonly cluster: eks.Cluster;
  /** The managed node groups, by role. */
  public readonly nodeGroups: ChatNodeGroups['nodeGroups'];
  /** Pod Identity roles of the chat workloads. */
  public readonly workloadIdentities: WorkloadIdentities;
  /** The api's and the worker's access to the search domain: IAM verbs and the domain's security roles. */
  public readonly workloadSearchAccess: WorkloadSearchAccess;
  /** The controller that binds pods to the edge stack's target groups. */
  public readonly loadBalancerController: LoadBalancerController;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { profile } = props;

    this.cluster = new ChatCluster(this, 'ChatCluster', { vpc: props.vpc, cluster: profile.cluster }).cluster;
    const nodes = new ChatNodeGroups(this, 'NodeGroups', {
      cluster: this.cluster,
      nodeGroups: profile.cluster.nodeGroups,
      graviton: profile.cluster.graviton,
      workloadSecurityGroup: props.workloadSecurityGroup,
    });
    this.nodeGroups = nodes.nodeGroups;
    const addons = new ClusterAddons(this, 'Addons', { cluster: this.cluster });
    for (const group of Object.values(this.nodeGroups)) group.node.addDependency(addons.nodeAgents);
    for (const addon of addons.scheduled) addon.node.addDependency(this.nodeGroups.system);

    this.loadBalancerController = new LoadBalancerController(this, 'LoadBalancerController', {
      cluster: this.cluster,
      vpc: props.vpc,
      environmentTag: profile.name,
    });
    const autoscaler = new ClusterAutoscaler(this, 'ClusterAutoscaler', { cluster: this.cluster });
    // Controllers get their credentials from the Pod Identity agent and run on system nodes.
    for (const controller of [this.loadBalancerController, autoscaler]) {
      controller.node.addDependency(addons.podIdentityAgent, nodes.nodeGroups.system);
    }
    this.workloadIdentities = new WorkloadIdentities(this, 'WorkloadIdentities', {
      cluster: this.cluster,
      secrets: props.workloadSecrets,
      database: props.database,
    });
    this.workloadSearchAccess = new WorkloadSearchAccess(this, 'WorkloadSearchAccess', {
      domain: props.searchDomain,
      masterUserSecret: props.searchMasterUserSecret,
      vpc: props.vpc,
      securityGroup: props.workloadSecurityGroup,
      api: this.workloadIdentities.api.role,
      worker: this.workloadIdentities.worker.role,
      logRetention: logRetention(profile.observability.logRetentionDays, 'observability.logRetentionDays'),
    });
  }
}
