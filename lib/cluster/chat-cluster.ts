import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
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

    this.acknowledgeManagedParts();

    props.cluster.adminRoleArns.forEach((roleArn, i) => {
      this.cluster.grantClusterAdmin(`AdminAccess${i + 1}`, roleArn);
    });
  }

  /** Findings on parts aws-cdk-lib builds for the cluster, each with why it stands. */
  private acknowledgeManagedParts(): void {
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    Validations.of(this.cluster.role).acknowledge({
      id: managed('AmazonEKSClusterPolicy'),
      reason: 'The policy EKS requires on the cluster service role; AWS keeps it in step with the control plane',
    });
    Validations.of(this.cluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'EncryptionConfig.Resources is what aws-cdk-lib writes for secrets encryption; EKS still requires it',
    });
    const provider = this.cluster.kubectlProvider!;
    for (const policy of [
      'service-role/AWSLambdaBasicExecutionRole',
      'service-role/AWSLambdaVPCAccessExecutionRole',
      'AmazonEC2ContainerRegistryReadOnly',
    ]) {
      Validations.of(provider).acknowledge({
        id: managed(policy),
        reason: 'The kubectl provider Lambda (built by aws-cdk-lib) runs in the VPC, logs and reads its layer images',
      });
    }
    // The handler may pull public ECR images (a managed policy behind a condition) and the
    // provider framework may invoke any version of its own handler: both findings name
    // generated logical ids, so they are computed rather than copied.
    const stack = Stack.of(this);
    const handler = provider.node.findChild('Handler');
    const ecrPublicCondition = stack.getLogicalId(handler.node.findChild('HasEcrPublic') as CfnElement);
    const handlerFunction = stack.getLogicalId(handler.node.defaultChild as CfnElement);
    const ecrPublicPolicy = JSON.stringify({
      'Fn::If': [
        ecrPublicCondition,
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly'],
          ],
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
    Validations.of(provider).acknowledge(
      {
        id: `AwsSolutions-IAM4[Policy::${ecrPublicPolicy}]`,
        reason:
          'The kubectl provider handler may read public ECR images (a conditional managed policy set by aws-cdk-lib)',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The kubectl provider runtime is chosen by aws-cdk-lib together with its kubectl and helm layers',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${handlerFunction}.Arn>:*]`,
        reason: 'The provider framework may invoke any version of its own handler function, nothing else',
      },
    );
  }
}
