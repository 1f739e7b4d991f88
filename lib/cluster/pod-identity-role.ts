import { Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props for {@link PodIdentityRole}. */
export interface PodIdentityRoleProps {
  /** The cluster whose Pod Identity agent hands out the role's credentials. */
  readonly cluster: eks.ICluster;
  /** Namespace of the service account. */
  readonly namespace: string;
  /**
   * Name of the service account the pods run as. The association does not need the account to
   * exist yet: the chart (or Helm release) that runs the pods creates it.
   */
  readonly serviceAccountName: string;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
}

/**
 * An IAM role that exactly one Kubernetes service account assumes through EKS Pod Identity.
 *
 * Pod Identity rather than IRSA: no OIDC provider to manage, and the trust policy is the same
 * for every role (the association, not the trust policy, names the service account).
 */
export class PodIdentityRole extends Construct {
  /** The role; grant it what the pods need. */
  public readonly role: iam.Role;
  /** Namespace of the service account bound to {@link role}. */
  public readonly namespace: string;
  /** The service account bound to {@link role}. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.serviceAccountName = props.serviceAccountName;

    const principal = new iam.ServicePrincipal('pods.eks.amazonaws.com');
    this.role = new iam.Role(this, 'Role', {
      description: props.description,
      assumedBy: principal.withSessionTags(),
    });
    new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccountName,
      roleArn: this.role.roleArn,
    });
  }

  /**
   * Attaches a policy AWS maintains for an add-on, with the cdk-nag acknowledgement such a
   * policy needs (AwsSolutions-IAM4) and `reason` saying why that policy is the right one.
   */
  public addAwsManagedPolicy(policyName: string, reason: string): void {
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(policyName));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`,
      reason,
    });
  }
}
