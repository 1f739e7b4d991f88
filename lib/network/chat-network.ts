import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from '../shared/allow-cloudwatch-logs';

/** Props for {@link ChatNetwork}. */
export interface ChatNetworkProps {
  /** The VPC's IPv4 range; a /16 is expected (see the subnet plan below). */
  readonly cidr: string;
  /** The three zones the VPC spans, pinned in the profile. */
  readonly availabilityZones: string[];
  /** NAT gateways: 1 is cheap, 3 (one per zone) survives a zone outage. */
  readonly natGateways: number;
  /** How long VPC flow logs are kept. */
  readonly flowLogRetention: logs.RetentionDays;
  /** What happens to the flow log group and its key when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * AWS APIs the private nodes and pods call, reached through interface endpoints so the calls
 * stay inside the VPC and image pulls do not pay NAT data charges:
 * - ECR (api + dkr): image pulls (the layers themselves come through the S3 gateway endpoint);
 * - STS, EKS auth: IRSA and Pod Identity exchange a pod's token for role credentials;
 * - EKS: nodes describe the cluster when they join;
 * - EC2: the VPC CNI attaches ENIs and assigns pod addresses;
 * - Elastic Load Balancing: the AWS Load Balancer Controller registers pods in target groups;
 * - Auto Scaling: the cluster autoscaler resizes the node groups;
 * - CloudWatch Logs and Monitoring: the log shipper and metrics agent;
 * - Secrets Manager and KMS: pods and the rotation function read the data stores' credentials;
 * - SSM, SSM Messages, EC2 Messages: Session Manager reaches nodes without SSH or bastions;
 * - SNS: Alertmanager publishes the in-cluster alerts to the alarm topic.
 */
const INTERFACE_ENDPOINTS = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  EksAuth: ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
  Eks: ec2.InterfaceVpcEndpointAwsService.EKS,
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
  ElasticLoadBalancing: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
  AutoScaling: ec2.InterfaceVpcEndpointAwsService.AUTOSCALING,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  CloudWatchMonitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  Sns: ec2.InterfaceVpcEndpointAwsService.SNS,
} as const;

/**
 * Endpoint policy statement: only principals of this account may use an endpoint, so a
 * compromised pod cannot reach another account's resources (exfiltration to a bucket or secret
 * elsewhere) through it. `aws:PrincipalAccount` takes no wildcard in an endpoint policy.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */
function thisAccountOnly(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ThisAccountOnly',
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(scope).account } },
  });
}

/**
 * The VPC every Co-Talk tier lives in, its flow logs and its AWS service endpoints.
 *
 * Subnet plan for a /16 (the VPC CNI gives every pod a VPC address, so the private tier is large):
 * - private-with-egress /18 per zone (16,384 addresses each, 49,152 in all): nodes and pods. The
 *   `scale` profile's ~80 nodes each keep at most a few ENIs' worth of warm addresses (a
 *   c7i.4xlarge: 15 ENIs x 50 addresses at the extreme, typically 1-2 ENIs), which leaves
 *   room for tens of thousands of pods even before prefix delegation.
 * - public /24 per zone: load balancers and NAT gateways only.
 * - isolated /22 per zone: data stores, no route to the internet.
 * The private tier is declared first so the /18 blocks align at the start of the range.
 */
export class ChatNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The group of the interface endpoints: HTTPS from anywhere in the VPC. */
  public readonly endpointSecurityGroup: ec2.ISecurityGroup;
  /** Where the VPC's flow logs go. */
  public readonly flowLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: ChatNetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 18 },
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
    });

    const flowLogKey = new kms.Key(this, 'FlowLogKey', {
      description: 'Co-Talk VPC flow logs',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    allowCloudWatchLogs(flowLogKey);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: flowLogKey,
      retention: props.flowLogRetention,
      removalPolicy: props.removalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // Gateway endpoints are free; S3 also carries the ECR image layers.
    const s3 = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    s3.addToPolicy(thisAccountOnly(this));
    // Two AWS-owned buckets are reached with URLs AWS presigns, so the caller is not a principal
    // of this account: ECR's image layers (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html)
    // and CloudFormation's custom-resource responses, which the in-VPC provider functions upload.
    s3.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${Stack.of(this).partition}:s3:::prod-${Stack.of(this).region}-starport-layer-bucket/*`],
      }),
    );
    s3.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CloudFormationResponses',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [`arn:${Stack.of(this).partition}:s3:::cloudformation-custom-resource-response-*/*`],
      }),
    );

    // One group for every interface endpoint instead of fifteen near-identical ones.
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Co-Talk interface endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    // The literal range, not the VPC's token, so the rule reads as what it is.
    endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(props.cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    this.endpointSecurityGroup = endpointSecurityGroup;
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      const endpoint = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [endpointSecurityGroup],
        privateDnsEnabled: true,
        // The group's own rule admits the VPC; `open` would add a duplicate from the VPC token.
        open: false,
      });
      endpoint.addToPolicy(thisAccountOnly(this));
    }
  }
}
