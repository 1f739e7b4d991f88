import { Match } from 'aws-cdk-lib/assertions';
import { APP_SEARCH_ROLES } from '../../lib/cluster/workload-search-access';
import { MESSAGE_SEARCH_INDEX } from '../../lib/contract';
import { synthApp } from '../support/synth-app';
import { manifestObjects, type K8sObject } from '../workloads/manifest-json';

// Given the prod app
const app = synthApp('prod');
const cluster = app.template('cluster');
type Workload = 'Gateway' | 'Api' | 'Worker' | 'Kong' | 'Migrations';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The logical id of a workload's Pod Identity role in the cluster stack. */
function roleId(workload: Workload): string {
  const ids = Object.keys(cluster.findResources('AWS::IAM::Role')).filter((id) =>
    new RegExp(`^WorkloadIdentities${workload}Role[0-9A-F]{8}$`).test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The `es:` statements of a workload role's policy, resources with the domain ARN as `<domain>`. */
function searchStatements(workload: Workload): { actions: string[]; resources: string[] }[] {
  const policies = Object.entries(cluster.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(`WorkloadIdentities${workload}RoleDefaultPolicy`),
  );
  expect(policies).toHaveLength(1);
  return (policies[0][1].Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('es:')))
    .map((s) => ({
      actions: [s.Action].flat().sort(),
      resources: [s.Resource].flat().map((r) => {
        // { Fn::Join: ['', [<domain ARN output>, '/path']] }
        const [, parts] = (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
        expect(JSON.stringify(parts[0])).toMatch(/PublishOutputFnGetAttSearchDomain\w*Arn/);
        return `<domain>${parts.slice(1).join('')}`;
      }),
    }));
}

describe('the apps in the search domain (prod)', () => {
  test('the bootstrap resource maps co_talk_worker and co_talk_api to the worker and api Pod Identity roles', () => {
    cluster.hasResourceProperties('Custom::CoTalkSearchAppRoles', {
      Endpoint: Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: 'CoTalk-prod-Data' }) }),
      Name: 'co-talk-apps',
      Roles: [
        {
          name: APP_SEARCH_ROLES.worker,
          cluster_permissions: ['indices:data/write/bulk'],
          index_permissions: [
            { index_patterns: [MESSAGE_SEARCH_INDEX], allowed_actions: ['indices:admin/get', 'create_index', 'index'] },
          ],
          backend_roles: [{ 'Fn::GetAtt': [roleId('Worker'), 'Arn'] }],
        },
        {
          name: APP_SEARCH_ROLES.api,
          cluster_permissions: [],
          index_permissions: [{ index_patterns: [MESSAGE_SEARCH_INDEX], allowed_actions: ['search'] }],
          backend_roles: [{ 'Fn::GetAtt': [roleId('Api'), 'Arn'] }],
        },
      ],
      IsmPolicies: [],
    });
    expect(MESSAGE_SEARCH_INDEX).toBe('chat-messages');
  });

  test('IAM allows each app exactly the requests it sends: the worker HEAD/PUT its index and POST _bulk, the api POST _search', () => {
    expect(searchStatements('Worker')).toEqual([
      { actions: ['es:ESHttpHead', 'es:ESHttpPut'], resources: [`<domain>/${MESSAGE_SEARCH_INDEX}`] },
      { actions: ['es:ESHttpPost'], resources: ['<domain>/_bulk'] },
    ]);
    expect(searchStatements('Api')).toEqual([
      { actions: ['es:ESHttpPost'], resources: [`<domain>/${MESSAGE_SEARCH_INDEX}/_search`] },
    ]);
    for (const workload of ['Gateway', 'Kong', 'Migrations'] as const) expect(searchStatements(workload)).toEqual([]);
  });

  test('only the bootstrap functions (log setup, app roles) may read the master user secret; no Pod Identity role', () => {
    const readers: string[] = [];
    for (const stack of app.allStacks) {
      const t = app.template(stack);
      const roles = t.findResources('AWS::IAM::Role');
      for (const policy of Object.values(t.findResources('AWS::IAM::Policy'))) {
        const reads = (policy.Properties.PolicyDocument.Statement as Statement[]).some(
          (s) =>
            [s.Action].flat().includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(s.Resource).includes('SearchDomainMasterUser'),
        );
        if (!reads) continue;
        for (const { Ref: role } of policy.Properties.Roles as { Ref: string }[]) {
          expect(roles[role].Properties.AssumeRolePolicyDocument.Statement).toEqual([
            expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
          ]);
          readers.push(`${stack.stackName}/${role.replace(/[0-9A-F]{8}$/, '')}`);
        }
      }
    }
    expect(readers.sort()).toEqual([
      'CoTalk-prod-Cluster/WorkloadSearchAccessRolesHandlerServiceRole',
      'CoTalk-prod-Observability/LogShippingSearchSetupHandlerServiceRole',
    ]);
  });

  test('no container of any chart names the master user secret; the api and the worker sign with their roles', () => {
    const workloads = app.template('workloads');
    const containers = Object.keys(workloads.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap((id) => manifestObjects(workloads, id.replace(/[0-9A-F]{8}$/, '')))
      .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .flatMap((o) => [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers]);
    expect(containers.length).toBeGreaterThan(5);
    for (const container of containers as K8sObject[]) {
      expect(JSON.stringify(container.env ?? [])).not.toMatch(/SearchDomainMasterUser|OPENSEARCH_SECRET_ARN/);
    }
    const envOf = (name: string) =>
      Object.fromEntries(
        (containers.find((c) => c.name === name)!.env as K8sObject[]).map((e) => [e.name, e.value as string]),
      );
    for (const name of ['api', 'worker']) {
      const env = envOf(name);
      expect(env.OPENSEARCH_URL).toMatch(/^https:\/\/«CoTalk-prod-Data\/PublishOutputFnGetAttSearchDomain\w+»:443$/);
      expect(env.OPENSEARCH_IAM_AUTH).toBe('true');
      expect(env.AWS_REGION).toBe(app.profile.env.region);
      expect(env.OPENSEARCH_USERNAME).toBeUndefined();
    }
  });
});
