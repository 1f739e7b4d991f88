import { PROFILE_NAMES } from '../../lib/config';
import { synthApp } from '../support/synth-app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of the default policy of one workload role, with cross-stack references as output names. */
function statementsOf(
  name: (typeof PROFILE_NAMES)[number],
  workload: 'Gateway' | 'Api' | 'Worker' | 'Kong',
): Statement[] {
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
  test('the gateway reads the three AUTH tokens (cache: room membership) and the token key, nothing else', () => {
    const statements = statementsOf(name, 'Gateway');
    expect(outputs(secretsStatement(statements))).toEqual([
      'RefRedisClustersCacheAuthToken',
      'RefRedisClustersPubsubAuthToken',
      'RefRedisClustersStreamsAuthToken',
      'RefTokenSigningSecret',
    ]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('es:'))).toEqual([]);
  });

  test('the api (and its migrations Job) reads the database, cache and search credentials and the token key', () => {
    expect(outputs(secretsStatement(statementsOf(name, 'Api')))).toEqual([
      'RefChatDatabasePrimarySecretAttachment',
      'RefRedisClustersCacheAuthToken',
      'RefSearchDomainMasterUser',
      'RefTokenSigningSecret',
    ]);
  });

  test('the worker reads the database, streams and search credentials, and writes to the search domain', () => {
    const statements = statementsOf(name, 'Worker');
    expect(outputs(secretsStatement(statements))).toEqual([
      'RefChatDatabasePrimarySecretAttachment',
      'RefRedisClustersStreamsAuthToken',
      'RefSearchDomainMasterUser',
    ]);
    const search = statements.find((s) => [s.Action].flat().includes('es:ESHttpPost'));
    expect(search).toBeDefined();
  });

  test('Kong reads the pub/sub AUTH token (rate-limit counters) and the token key, nothing else', () => {
    const statements = statementsOf(name, 'Kong');
    expect(outputs(secretsStatement(statements))).toEqual(['RefRedisClustersPubsubAuthToken', 'RefTokenSigningSecret']);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('es:'))).toEqual([]);
  });

  test('secret keys are usable only through Secrets Manager', () => {
    for (const workload of ['Gateway', 'Api', 'Worker', 'Kong'] as const) {
      const decrypt = statementsOf(name, workload).find((s) => s.Action === 'kms:Decrypt');
      expect(decrypt?.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'secretsmanager.ap-northeast-2.amazonaws.com' },
      });
    }
  });
});
