/**
 * Every version the cluster tier installs, pinned in one committed file.
 *
 * Synth never looks versions up (no `DescribeAddonVersions`, no Helm index fetch), so a deploy
 * installs exactly what was reviewed. Bump them together with the Kubernetes minor version:
 * `aws eks describe-addon-versions --kubernetes-version 1.36 --addon-name <name>` lists the
 * add-on builds, `helm search repo <chart> --versions` the chart versions.
 */

/** EKS managed add-ons, by add-on name, for Kubernetes 1.36. */
export const ADDON_VERSIONS = {
  'vpc-cni': 'v1.21.1-eksbuild.1',
  'kube-proxy': 'v1.36.0-eksbuild.2',
  coredns: 'v1.13.1-eksbuild.1',
  'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
  'aws-ebs-csi-driver': 'v1.53.0-eksbuild.1',
  'metrics-server': 'v0.8.0-eksbuild.3',
  'amazon-cloudwatch-observability': 'v4.7.0-eksbuild.1',
} as const;

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  /** Chart name in its repository. */
  readonly chart: string;
  /** The chart repository URL. */
  readonly repository: string;
  /** The exact chart version. */
  readonly version: string;
}

/** AWS Load Balancer Controller: binds pods to the CDK-owned target groups (TargetGroupBinding). */
export const LOAD_BALANCER_CONTROLLER_CHART: PinnedChart = {
  chart: 'aws-load-balancer-controller',
  repository: 'https://aws.github.io/eks-charts',
  version: '1.17.1',
};

/** Cluster Autoscaler: its minor version must match the Kubernetes minor version. */
export const CLUSTER_AUTOSCALER_CHART: PinnedChart = {
  chart: 'cluster-autoscaler',
  repository: 'https://kubernetes.github.io/autoscaler',
  version: '9.52.1',
};

/** The Cluster Autoscaler image tag (one release per Kubernetes minor). */
export const CLUSTER_AUTOSCALER_IMAGE_TAG = 'v1.36.0';
