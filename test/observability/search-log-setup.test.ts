import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SearchLogSetup } from '../../lib/observability/search-log-setup';

describe('SearchLogSetup', () => {
  // Given a VPC domain with a master user secret, When the setup is added, Then:
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'ap-northeast-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const securityGroup = new ec2.SecurityGroup(stack, 'Workloads', { vpc });
  const masterUserSecret = new secretsmanager.Secret(stack, 'Master');
  const domain = new opensearch.Domain(stack, 'Domain', {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    vpc,
  });
  const writerRole = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
  new SearchLogSetup(stack, 'Setup', {
    domain,
    masterUserSecret,
    vpc,
    securityGroup,
    indexPrefix: 'co-talk-logs',
    retentionDays: 14,
    writerRole,
    logRetention: logs.RetentionDays.TWO_WEEKS,
  });
  const t = Template.fromStack(stack);

  test('passes the domain, the secret ARN (not its value), the retention and the writer role', () => {
    t.hasResourceProperties('Custom::CoTalkSearchLogSetup', {
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Domain'), 'DomainEndpoint'] },
      MasterUserSecretArn: { Ref: Match.stringLikeRegexp('^Master') },
      IndexPrefix: 'co-talk-logs',
      RetentionDays: 14,
      WriterRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Writer'), 'Arn'] },
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('resolve:secretsmanager');
  });

  test('runs in the VPC with the workload group, the only one the domain accepts', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Workloads'), 'GroupId'] }],
        SubnetIds: Match.anyValue(),
      },
    });
  });

  test('may read the master user secret', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: Match.stringLikeRegexp('^Master') },
          }),
        ]),
      },
    });
  });
});
