import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { allowCloudWatchLogs } from '../shared/allow-cloudwatch-logs';

/** What every data store takes: where it stands, who may connect, its logs, and what outlives the stack. */
export interface DataStoreProps {
  /** The VPC; the store goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** The only group allowed to connect (the EKS nodes and their pods). */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
  /** How long the store's logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Protect the data when the stack deletes the store: deletion protection and snapshots where the
   * store has them, and its key, secrets and logs kept.
   * @default false - everything is deleted with the stack (dev)
   */
  readonly protectData?: boolean;
}

/** Whether the store's data is protected, and so whether its key, secrets and logs outlive the stack. */
export function dataProtection(props: Pick<DataStoreProps, 'protectData'>): {
  readonly protect: boolean;
  readonly removalPolicy: RemovalPolicy;
} {
  const protect = props.protectData ?? false;
  return { protect, removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY };
}

/**
 * A store's own customer-managed key (construct id `Key`), rotated, with a week's deletion window,
 * and usable by CloudWatch Logs for the store's log groups.
 */
export function dataStoreKey(scope: Construct, description: string, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description,
    enableKeyRotation: true,
    removalPolicy,
    pendingWindow: Duration.days(7),
  });
  allowCloudWatchLogs(key);
  return key;
}

/** A store's security group (construct id `SecurityGroup`): no egress, `port` from the workload group only. */
export function dataStoreSecurityGroup(
  scope: Construct,
  props: Pick<DataStoreProps, 'vpc' | 'workloadSecurityGroup'>,
  port: number,
  descriptions: { readonly group: string; readonly ingress: string },
): ec2.SecurityGroup {
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: descriptions.group,
    allowAllOutbound: false,
  });
  securityGroup.addIngressRule(props.workloadSecurityGroup, ec2.Port.tcp(port), descriptions.ingress);
  return securityGroup;
}
