import { RemovalPolicy } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, DependencyGroup } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';
import { ADDON_VERSIONS } from './versions';

/** Props for {@link ClusterAddons}. */
export interface ClusterAddonsProps {
  /** The cluster to install the add-ons on. */
  readonly cluster: eks.Cluster;
}

/**
 * The EKS managed add-ons, at the versions pinned in `versions.ts`.
 *
 * The cluster is created without the self-managed networking add-ons
 * (`bootstrapSelfManagedAddons: false`), so these are the only copies: the node-level ones
 * (VPC CNI, kube-proxy, Pod Identity agent) come first, so joining nodes get networking and
 * credentials; the scheduled ones must wait for nodes (created before them, they would sit
 * degraded with nowhere to run).
 */
export class ClusterAddons extends Construct {
  /** The Pod Identity agent; Pod Identity associations work once it runs. */
  public readonly podIdentityAgent: eks.Addon;
  /** DaemonSet add-ons every node needs before it is Ready: node groups depend on these. */
  public readonly nodeAgents: DependencyGroup;
  /** Add-ons that run as Deployments: they depend on the node groups. */
  public readonly scheduled: readonly eks.Addon[];

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const { cluster } = props;
    const addon = (addonId: string, addonName: keyof typeof ADDON_VERSIONS) =>
      new eks.Addon(this, addonId, {
        cluster,
        addonName,
        addonVersion: ADDON_VERSIONS[addonName],
        // The add-on goes with the cluster; keeping it on delete would only leave orphans.
        preserveOnDelete: false,
        removalPolicy: RemovalPolicy.DESTROY,
      });

    this.podIdentityAgent = addon('PodIdentityAgent', 'eks-pod-identity-agent');
    this.nodeAgents = new DependencyGroup(
      addon('VpcCni', 'vpc-cni'),
      addon('KubeProxy', 'kube-proxy'),
      this.podIdentityAgent,
    );

    const ebsCsiIdentity = new PodIdentityRole(this, 'EbsCsiIdentity', {
      cluster,
      namespace: 'kube-system',
      serviceAccountName: 'ebs-csi-controller-sa',
      description: 'EBS CSI driver controller: creates, attaches and deletes EBS volumes',
    });
    ebsCsiIdentity.addAwsManagedPolicy(
      'service-role/AmazonEBSCSIDriverPolicy',
      'The policy AWS maintains for the EBS CSI driver; its volume actions are scoped by CSI tags',
    );

    const ebsCsiDriver = addon('EbsCsiDriver', 'aws-ebs-csi-driver');
    ebsCsiDriver.node.addDependency(ebsCsiIdentity);
    // Encrypted gp3 as the default class: the EBS CSI driver installs no StorageClass itself.
    const storageClass = new eks.KubernetesManifest(this, 'Gp3StorageClass', {
      cluster,
      manifest: [
        {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'StorageClass',
          metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
          provisioner: 'ebs.csi.aws.com',
          volumeBindingMode: 'WaitForFirstConsumer',
          allowVolumeExpansion: true,
          reclaimPolicy: 'Delete',
          parameters: { type: 'gp3', encrypted: 'true' },
        },
      ],
    });
    storageClass.node.addDependency(ebsCsiDriver);

    // Container Insights: node counts per cluster for the capacity alarms. Container logs stay
    // off here; Fluent Bit ships them to OpenSearch.
    const containerInsightsIdentity = new PodIdentityRole(this, 'ContainerInsightsIdentity', {
      cluster,
      namespace: 'amazon-cloudwatch',
      serviceAccountName: 'cloudwatch-agent',
      description: 'CloudWatch agent: publishes Container Insights metrics',
    });
    containerInsightsIdentity.addAwsManagedPolicy(
      'CloudWatchAgentServerPolicy',
      'The policy AWS maintains for the CloudWatch agent of the Container Insights add-on',
    );
    const containerInsights = new eks.Addon(this, 'ContainerInsights', {
      cluster,
      addonName: 'amazon-cloudwatch-observability',
      addonVersion: ADDON_VERSIONS['amazon-cloudwatch-observability'],
      preserveOnDelete: false,
      removalPolicy: RemovalPolicy.DESTROY,
      configurationValues: { containerLogs: { enabled: false } },
    });
    containerInsights.node.addDependency(containerInsightsIdentity);

    this.scheduled = [
      addon('CoreDns', 'coredns'),
      ebsCsiDriver,
      addon('MetricsServer', 'metrics-server'),
      containerInsights,
    ];
  }
}
