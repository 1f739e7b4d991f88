import { PROFILE_NAMES } from '../../lib/config';
import { synthApp } from '../support/synth-app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
type Workload = 'Gateway' | 'Api' | 'Worker' | 'Kong' | 'Migrations';

/** The statements of the default policy of one workload role, with cross-stack references as output names. */
function statementsOf(name: (typeof PROFILE_NAMES)[number], workload: Workload): Statement[] {
  const t = synthApp(name).template('cluster');
  const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(`WorkloadIdentities${workload}RoleDefaultPolicy`),
  );
  expect(policies).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement;
}

/** The data-stack outputs a statement's resources point at (e.g. `RefChatDatabasePrimarySecret...`). */
function outputs(statement: Statement | undefined): string[] {
  if (!statement) return [];
  return [statement.Resource]
    .flat()
    .map((r) => JSON.stringify(r))
    .map((r) => /"OutputName":"PublishOutput(\w+?)[0-9A-F]{16}"/.exec(r)?.[1] ?? r)
    .sort();
}

const secretsStatement = (statements: Statement[]) =>
  statements.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));

describe.each(PROFILE_NAMES)('workload identities (%s)', (name) => {
  // The secrets follow BACKEND_USES in lib/contract/backends.ts: what each app's environment names.
  // Neither the api nor the worker reads a search credential: they sign with their roles
  // (workload-search-access.test.ts).
  test.each<[Workload, string, string[]]>([
    [
      'Gateway',
      "its own three Redis users' passwords (cache: room membership) and the public token keys",
      [
        'RefRedisClustersCacheAccessGatewayPassword',
        'RefRedisClustersPubsubAccessGatewayPassword',
        'RefRedisClustersStreamsAccessGatewayPassword',
        'RefTokenSigningPublicKeys',
      ],
    ],
    [
      'Api',
      "its own cache user's password and the private token keys",
      ['RefRedisClustersCacheAccessApiPassword', 'RefTokenSigningSecret'],
    ],
    ['Worker', "its own streams user's password", ['RefRedisClustersStreamsAccessWorkerPassword']],
    [
      'Kong',
      "its own pub/sub user's password (rate-limit counters) and the public token keys",
      ['RefRedisClustersPubsubAccessKongPassword', 'RefTokenSigningPublicKeys'],
    ],
    // The only role that reads it: the other rows would list it.
    ['Migrations', 'the database master secret', ['RefChatDatabasePrimarySecretAttachment']],
  ])('the %s role reads %s, no other secret', (workload, _what, secrets) => {
    expect(outputs(secretsStatement(statementsOf(name, workload)))).toEqual(secrets);
  });

  test('neither the gateway, Kong nor the migrations Job may send requests to the search domain', () => {
    for (const workload of ['Gateway', 'Kong', 'Migrations'] as const) {
      const actions = statementsOf(name, workload).flatMap((s) => [s.Action].flat());
      expect({ workload, search: actions.filter((a) => a.startsWith('es:')) }).toEqual({ workload, search: [] });
    }
  });

  test('the api may connect as its database role to the primary and every replica, the worker to the primary only', () => {
    const replicas = synthApp(name).stacks.data.database.replicas.length;
    const connect = (workload: 'Api' | 'Worker') =>
      statementsOf(name, workload)
        .filter((s) => [s.Action].flat().includes('rds-db:connect'))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
    const api = connect('Api');
    expect(api).toHaveLength(1 + replicas);
    for (const resource of api) expect(resource).toMatch(/:dbuser:.*\/cotalk_api"/);
    expect(api.filter((r) => r.includes('Primary'))).toHaveLength(1);
    const worker = connect('Worker');
    expect(worker).toHaveLength(1);
    expect(worker[0]).toMatch(/Primary.*:dbuser:|:dbuser:.*Primary/);
    expect(worker[0]).toMatch(/\/cotalk_worker"/);
    for (const workload of ['Gateway', 'Kong', 'Migrations'] as const) {
      expect(statementsOf(name, workload).some((s) => [s.Action].flat().includes('rds-db:connect'))).toBe(false);
    }
  });

  test('secret keys are usable only through Secrets Manager', () => {
    for (const workload of ['Gateway', 'Api', 'Worker', 'Kong', 'Migrations'] as const) {
      const decrypt = statementsOf(name, workload).find((s) => s.Action === 'kms:Decrypt');
      expect(decrypt?.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'secretsmanager.ap-northeast-2.amazonaws.com' },
      });
    }
  });
});
