import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Profile } from '../config';

/** Every control-plane log type EKS offers; all are shipped to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES: readonly eks.ClusterLoggingTypes[] = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/**
 * Cluster-creation flags that replace the cluster when toggled later, decided once:
 * - the CloudFormation role that creates the cluster gets no hidden admin entry: admins are the
 *   explicit access entries, visible in the template;
 * - EKS installs no self-managed networking add-ons: the managed add-ons (pinned versions) are
 *   the only copies, so nothing has to take ownership of a running DaemonSet.
 */
export const CLUSTER_BOOTSTRAP = {
  bootstrapClusterCreatorAdminPermissions: false,
  bootstrapSelfManagedAddons: false,
} as const;

/** Kubernetes minor version -> the CDK constant and the kubectl layer built for it. */
const KUBERNETES = {
  '1.36': { version: eks.KubernetesVersion.V1_36, kubectlLayer: KubectlV36Layer },
} as const;

/** Props for {@link ChatCluster}. */
export interface ChatClusterProps {
  /** The VPC; the control plane's network interfaces go into its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Version, endpoint access and admin roles, from the profile. */
  readonly cluster: Profile['cluster'];
}

/**
 * The EKS control plane: Kubernetes version from the profile, secrets envelope-encrypted with a
 * customer-managed key, all control-plane logs on, endpoint access per profile, admins through
 * access entries, no default capacity (the node groups are explicit).
 */
export class ChatCluster extends Construct {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** Encrypts Kubernetes secrets at rest. */
  public readonly secretsKey: kms.Key;

  constructor(scope: Construct, id: string, props: ChatClusterProps) {
    super(scope, id);
    const k8s = KUBERNETES[props.cluster.kubernetesVersion];

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Co-Talk EKS: envelope encryption of Kubernetes secrets',
      enableKeyRotation: true,
    });

    this.cluster = new eks.Cluster(this, 'Resource', {
      version: k8s.version,
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess:
        props.cluster.endpointAccess === 'private'
          ? eks.EndpointAccess.PRIVATE
          : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...props.cluster.publicAccessCidrs),
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: [...CONTROL_PLANE_LOG_TYPES],
      // Explicit managed node groups, not Auto Mode (the aws-eks-v2 default) and no default group.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      ...CLUSTER_BOOTSTRAP,
      // The provider runs kubectl and helm for the cluster's manifests and charts; with private
      // endpoint access the cluster places it in the private subnets.
      kubectlProviderOptions: { kubectlLayer: new k8s.kubectlLayer(this, 'KubectlLayer') },
    });

    props.cluster.adminRoleArns.forEach((roleArn, i) => {
      this.cluster.grantClusterAdmin(`AdminAccess${i + 1}`, roleArn);
    });
  }
}
