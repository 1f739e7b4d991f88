import { Match } from 'aws-cdk-lib/assertions';
import { synthApp } from '../support/synth-app';

const networkTemplate = (name: 'dev' | 'staging' | 'prod' | 'scale') => {
  const synthesized = synthApp(name);
  return synthesized.template(synthesized.stacks.network);
};

describe('NetworkStack', () => {
  test.each<['dev' | 'prod' | 'scale', number]>([
    ['dev', 1],
    ['prod', 1],
    ['scale', 3],
  ])('%s: %i NAT gateway(s), as the profile says', (name, nats) => {
    networkTemplate(name).resourceCountIs('AWS::EC2::NatGateway', nats);
  });

  test('the VPC spans the three pinned zones with public, private and isolated tiers', () => {
    const template = networkTemplate('prod');
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.2.0.0/16' });
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    for (const [cidr, zone] of [
      ['10.2.0.0/18', 'ap-northeast-2a'],
      ['10.2.64.0/18', 'ap-northeast-2b'],
      ['10.2.128.0/18', 'ap-northeast-2c'],
    ]) {
      template.hasResourceProperties('AWS::EC2::Subnet', {
        CidrBlock: cidr,
        AvailabilityZone: zone,
        MapPublicIpOnLaunch: false,
      });
    }
  });

  test('the isolated (data) subnets have no route out of the VPC', () => {
    const routes = Object.values(networkTemplate('prod').findResources('AWS::EC2::Route'));
    const fromData = routes.filter((r) => String(r.Properties.RouteTableId.Ref).startsWith('ChatNetworkVpcDataSubnet'));
    expect(routes.length).toBeGreaterThan(0);
    expect(fromData).toEqual([]);
  });

  test.each<['dev' | 'prod', number]>([
    ['dev', 14],
    ['prod', 90],
  ])('%s: flow logs capture all traffic into a key-encrypted log group kept %i days', (name, days) => {
    const template = networkTemplate(name);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: days,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatNetworkFlowLogKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.ap-northeast-2.amazonaws.com' } })]),
      }),
    });
  });

  test('flow log group and key are retained when data is protected, deleted in dev', () => {
    networkTemplate('prod').hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    networkTemplate('dev').hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('an S3 gateway endpoint serves the three private and three isolated route tables', () => {
    const gateways = Object.values(
      networkTemplate('prod').findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }),
    );
    expect(gateways).toHaveLength(1);
    const [s3] = gateways;
    expect(s3.Properties.ServiceName).toEqual({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] });
    const routeTables = s3.Properties.RouteTableIds.map((r: { Ref: string }) => r.Ref).sort();
    expect(routeTables).toEqual([
      expect.stringMatching(/^ChatNetworkVpcDataSubnet1RouteTable/),
      expect.stringMatching(/^ChatNetworkVpcDataSubnet2RouteTable/),
      expect.stringMatching(/^ChatNetworkVpcDataSubnet3RouteTable/),
      expect.stringMatching(/^ChatNetworkVpcPrivateSubnet1RouteTable/),
      expect.stringMatching(/^ChatNetworkVpcPrivateSubnet2RouteTable/),
      expect.stringMatching(/^ChatNetworkVpcPrivateSubnet3RouteTable/),
    ]);
  });

  test('prod creates no interface endpoint: its profile lists none', () => {
    networkTemplate('prod').resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
  });

  test('scale: interface endpoints for every AWS API the private nodes call, with private DNS', () => {
    const template = networkTemplate('scale');
    const endpoints = Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    const services = endpoints.map((e) => String(e.Properties.ServiceName)).sort();
    expect(services).toEqual(
      [
        'autoscaling',
        'ec2',
        'ec2messages',
        'ecr.api',
        'ecr.dkr',
        'eks',
        'eks-auth',
        'elasticloadbalancing',
        'kms',
        'logs',
        'monitoring',
        'secretsmanager',
        'sns',
        'ssm',
        'ssmmessages',
        'sts',
      ]
        .map((s) => `com.amazonaws.ap-northeast-2.${s}`)
        .sort(),
    );
    for (const e of endpoints) expect(e.Properties.PrivateDnsEnabled).toBe(true);
  });

  test('the endpoint group admits HTTPS from the VPC range only', () => {
    networkTemplate('prod').hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('interface endpoints'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.2.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ],
    });
  });

  test('the workload security group exists and admits nothing by itself', () => {
    networkTemplate('prod').hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('only source allowed into the data stores'),
      SecurityGroupIngress: Match.absent(),
    });
  });
});
