import { RemovalPolicy } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, DependencyGroup } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';
import { ADDON_VERSIONS } from './versions';

/**
 * The VPC CNI enforces Kubernetes NetworkPolicies only when asked: `enableNetworkPolicy` starts
 * the network policy agent (the `aws-eks-nodeagent` container of `aws-node`, eBPF on each pod's
 * veth), and EKS runs the policy controller in the control plane of a cluster of 1.25 or later.
 * Without it every NetworkPolicy of the charts is accepted and ignored. Requirements, all met
 * here: VPC CNI 1.14+ (1.21 for admin policies), Linux EC2 nodes (no Fargate), kernel 5.10+ and
 * the BPF file system, which the EKS AL2023 AMIs mount.
 * https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
 * https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 * Enforcement stays in the default (standard) mode: `strict` would also cut off every pod of
 * the namespaces this project does not own (kube-system, amazon-cloudwatch) until a policy
 * selects it. Each namespace of the project has its own default-deny instead.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true' } as const;

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
    const addon = (
      addonId: string,
      addonName: keyof typeof ADDON_VERSIONS,
      configurationValues?: Record<string, unknown>,
    ) =>
      new eks.Addon(this, addonId, {
        cluster,
        addonName,
        addonVersion: ADDON_VERSIONS[addonName],
        // The add-on goes with the cluster; keeping it on delete would only leave orphans.
        preserveOnDelete: false,
        removalPolicy: RemovalPolicy.DESTROY,
        configurationValues,
      });

    this.podIdentityAgent = addon('PodIdentityAgent', 'eks-pod-identity-agent');
    this.nodeAgents = new DependencyGroup(
      addon('VpcCni', 'vpc-cni', VPC_CNI_CONFIGURATION),
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
