import type { InterfaceEndpointName } from '../schema';

/**
 * Why each interface endpoint may be worth its hourly fee per zone: it keeps that call inside the
 * VPC and off the NAT gateway (no NAT data charge, no dependence on the NAT's zone).
 */
export const INTERFACE_ENDPOINT_REASONS: Readonly<Record<InterfaceEndpointName, string>> = {
  EcrApi: 'image pulls authenticate and resolve manifests without the NAT gateway',
  EcrDocker: 'image pulls reach the registry without the NAT gateway (layers use the S3 gateway endpoint)',
  Sts: 'role credentials for pods keep working when a NAT zone is down',
  EksAuth: 'Pod Identity credentials keep working when a NAT zone is down',
  Eks: 'nodes describe the cluster when they join, even with the NAT gateway down',
  Ec2: 'the VPC CNI attaches ENIs and pod addresses without the NAT gateway',
  ElasticLoadBalancing: 'the load balancer controller registers pods without the NAT gateway',
  AutoScaling: 'the cluster autoscaler resizes node groups without the NAT gateway',
  CloudWatchLogs: 'log shipping stays inside the VPC and pays no NAT data charge',
  CloudWatchMonitoring: 'metrics stay inside the VPC and pay no NAT data charge',
  SecretsManager: 'pods and the rotation function read credentials inside the VPC',
  Kms: 'decryption calls stay inside the VPC',
  Ssm: 'Session Manager reaches nodes without SSH, bastions or the NAT gateway',
  SsmMessages: 'Session Manager reaches nodes without SSH, bastions or the NAT gateway',
  Ec2Messages: 'Session Manager reaches nodes without SSH, bastions or the NAT gateway',
  Sns: 'Alertmanager publishes alerts to the alarm topic without the NAT gateway',
};
