import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SearchSecurity } from '../../lib/shared/search-security';

describe('SearchSecurity', () => {
  // Given a VPC domain with a master user secret, When roles are set up, Then:
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'ap-northeast-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const securityGroup = new ec2.SecurityGroup(stack, 'Workloads', { vpc });
  const masterUserSecret = new secretsmanager.Secret(stack, 'Master');
  const domain = new opensearch.Domain(stack, 'Domain', { version: opensearch.EngineVersion.OPENSEARCH_2_19, vpc });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
  new SearchSecurity(stack, 'Setup', {
    domain,
    masterUserSecret,
    vpc,
    securityGroup,
    name: 'things',
    resourceType: 'Custom::TestSearchSetup',
    description: 'test',
    roles: [
      {
        name: 'things_writer',
        clusterPermissions: ['indices:data/write/bulk'],
        indexPermissions: [{ indexPatterns: ['things-*'], allowedActions: ['index'] }],
        mappedRoles: [writer],
      },
    ],
    ismPolicies: [{ id: 'things-retention', policy: { default_state: 'hot' } }],
    logRetention: logs.RetentionDays.TWO_WEEKS,
  });
  const t = Template.fromStack(stack);

  test('passes the domain, the secret ARN (not its value), the roles with their IAM roles, the policies', () => {
    t.hasResourceProperties('Custom::TestSearchSetup', {
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Domain'), 'DomainEndpoint'] },
      MasterUserSecretArn: { Ref: Match.stringLikeRegexp('^Master') },
      Name: 'things',
      Roles: [
        {
          name: 'things_writer',
          cluster_permissions: ['indices:data/write/bulk'],
          index_permissions: [{ index_patterns: ['things-*'], allowed_actions: ['index'] }],
          backend_roles: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Writer'), 'Arn'] }],
        },
      ],
      IsmPolicies: [{ id: 'things-retention', policy: { default_state: 'hot' } }],
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

// The function is plain JavaScript run by Lambda; it is driven here with a fake domain.
interface HandlerEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}
type Handler = (event: HandlerEvent) => Promise<{ PhysicalResourceId: string }>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeHandler } = require('../../lib/shared/search-security/index.js') as {
  makeHandler: (deps: {
    readSecret: (arn: string) => Promise<{ username: string; password: string }>;
    fetchImpl: (
      url: string,
      init: { method: string; headers: Record<string, string>; body?: string },
    ) => Promise<{
      status: number;
      text: () => Promise<string>;
    }>;
    log: { warn: (message: string) => void };
  }) => Handler;
};

describe('search security function', () => {
  const role = (name: string, arn: string) => ({
    name,
    cluster_permissions: [],
    index_permissions: [{ index_patterns: ['chat-messages'], allowed_actions: ['search'] }],
    backend_roles: [arn],
  });
  const properties = (roles: unknown[], ismPolicies: unknown[] = []) => ({
    ServiceToken: 'arn:aws:lambda:r:1:function:x',
    Endpoint: 'vpc-domain.example',
    MasterUserSecretArn: 'arn:aws:secretsmanager:r:1:secret:master',
    Name: 'co-talk-apps',
    Roles: roles,
    IsmPolicies: ismPolicies,
  });

  /** A fake domain answering `status(method, path)` (200 by default), recording every call. */
  function fakeDomain(status: (method: string, path: string) => number = () => 200) {
    const calls: { method: string; path: string; body?: unknown; authorization: string }[] = [];
    const warnings: string[] = [];
    const handler = makeHandler({
      readSecret: async (arn) => {
        expect(arn).toBe('arn:aws:secretsmanager:r:1:secret:master');
        return { username: 'chat_admin', password: 'pw' };
      },
      fetchImpl: async (url, init) => {
        const path = url.replace('https://vpc-domain.example/', '');
        calls.push({
          method: init.method,
          path,
          body: init.body === undefined ? undefined : JSON.parse(init.body),
          authorization: init.headers.authorization,
        });
        const code = status(init.method, path);
        const body = code === 200 && init.method === 'GET' ? JSON.stringify({ _seq_no: 7, _primary_term: 2 }) : '';
        return { status: code, text: async () => body };
      },
      log: { warn: (message) => warnings.push(message) },
    });
    return { handler, calls, warnings, summary: () => calls.map((c) => `${c.method} ${c.path}`) };
  }

  test('create: puts each role and its mapping to the IAM roles, as the master user', async () => {
    const domain = fakeDomain();
    const result = await domain.handler({
      RequestType: 'Create',
      ResourceProperties: properties([role('co_talk_api', 'arn:aws:iam::1:role/api')]),
    });
    expect(result).toEqual({ PhysicalResourceId: 'vpc-domain.example/co-talk-apps' });
    expect(domain.summary()).toEqual([
      'PUT _plugins/_security/api/roles/co_talk_api',
      'PUT _plugins/_security/api/rolesmapping/co_talk_api',
    ]);
    expect(domain.calls[0].body).toEqual({
      cluster_permissions: [],
      index_permissions: [{ index_patterns: ['chat-messages'], allowed_actions: ['search'] }],
    });
    expect(domain.calls[1].body).toEqual({ backend_roles: ['arn:aws:iam::1:role/api'] });
    for (const call of domain.calls) {
      expect(call.authorization).toBe(`Basic ${Buffer.from('chat_admin:pw').toString('base64')}`);
    }
  });

  test('ISM policies: created when absent, updated with their sequence number when present', async () => {
    const policy = { id: 'logs-retention', policy: { default_state: 'hot' } };
    const absent = fakeDomain((method) => (method === 'GET' ? 404 : 200));
    await absent.handler({ RequestType: 'Create', ResourceProperties: properties([], [policy]) });
    expect(absent.summary()).toEqual([
      'GET _plugins/_ism/policies/logs-retention',
      'PUT _plugins/_ism/policies/logs-retention',
    ]);
    expect(absent.calls[1].body).toEqual({ policy: { default_state: 'hot' } });
    const present = fakeDomain();
    await present.handler({ RequestType: 'Update', ResourceProperties: properties([], [policy]) });
    expect(present.summary()[1]).toBe('PUT _plugins/_ism/policies/logs-retention?if_seq_no=7&if_primary_term=2');
  });

  test('update: puts the roles again and removes those the update dropped, an absent one included', async () => {
    const domain = fakeDomain((method, path) => (method === 'DELETE' && path.endsWith('/gone') ? 404 : 200));
    await domain.handler({
      RequestType: 'Update',
      ResourceProperties: properties([role('co_talk_api', 'arn:aws:iam::1:role/api')]),
      OldResourceProperties: properties([role('co_talk_api', 'arn:old'), role('gone', 'arn:x')]),
    });
    expect(domain.summary()).toEqual([
      'PUT _plugins/_security/api/roles/co_talk_api',
      'PUT _plugins/_security/api/rolesmapping/co_talk_api',
      'DELETE _plugins/_security/api/rolesmapping/gone',
      'DELETE _plugins/_security/api/roles/gone',
    ]);
  });

  test('a refused call fails the deployment, naming the request and the answer', async () => {
    const domain = fakeDomain(() => 403);
    await expect(
      domain.handler({ RequestType: 'Create', ResourceProperties: properties([role('r', 'arn')]) }),
    ).rejects.toThrow('PUT /_plugins/_security/api/roles/r answered 403');
  });

  test('delete: removes mappings and roles, keeps ISM policies, and never fails', async () => {
    const domain = fakeDomain((_method, path) => (path.includes('rolesmapping') ? 404 : 200));
    const result = await domain.handler({
      RequestType: 'Delete',
      ResourceProperties: properties([role('co_talk_api', 'arn')], [{ id: 'p', policy: {} }]),
    });
    expect(result).toEqual({ PhysicalResourceId: 'vpc-domain.example/co-talk-apps' });
    expect(domain.summary()).toEqual([
      'DELETE _plugins/_security/api/rolesmapping/co_talk_api',
      'DELETE _plugins/_security/api/roles/co_talk_api',
    ]);

    const unreachable = fakeDomain(() => 503);
    await expect(
      unreachable.handler({ RequestType: 'Delete', ResourceProperties: properties([role('co_talk_api', 'arn')]) }),
    ).resolves.toEqual({ PhysicalResourceId: 'vpc-domain.example/co-talk-apps' });
    expect(unreachable.warnings).toEqual([expect.stringMatching(/^roles not removed \(co_talk_api\): DELETE .* 503/)]);
  });
});
