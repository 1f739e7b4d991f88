/* global Buffer, fetch */
// CloudFormation custom resource (Provider framework onEvent handler): prepares the OpenSearch
// domain for the log shipper. Runs inside the VPC and signs in as the fine-grained access
// control master user, whose secret it reads at run time (never in the template).
//  - an ISM policy that deletes log indices older than the retention, attached to new indices
//    by its ism_template;
//  - a role allowed to write those indices only, mapped to the log shipper's IAM role.
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

module.exports.handler = async (event) => {
  const p = event.ResourceProperties;
  const physicalId = `${p.Endpoint}/${p.IndexPrefix}`;
  if (event.RequestType === 'Delete') {
    // Keep policy and role: the indices they govern outlive this stack's updates.
    return { PhysicalResourceId: physicalId };
  }
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: p.MasterUserSecretArn }),
  );
  const { username, password } = JSON.parse(secret.SecretString);
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const call = async (method, path, body, okStatuses = [200, 201]) => {
    const response = await fetch(`https://${p.Endpoint}/${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!okStatuses.includes(response.status)) {
      throw new Error(`${method} /${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    return { status: response.status, json: text ? JSON.parse(text) : {} };
  };

  const pattern = `${p.IndexPrefix}-*`;
  const policyPath = `_plugins/_ism/policies/${p.IndexPrefix}-retention`;
  const policy = {
    policy: {
      description: `Delete ${pattern} indices ${p.RetentionDays} days after creation`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${p.RetentionDays}d` } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [pattern], priority: 100 }],
    },
  };
  const existing = await call('GET', policyPath, undefined, [200, 404]);
  const update =
    existing.status === 200 ? `?if_seq_no=${existing.json._seq_no}&if_primary_term=${existing.json._primary_term}` : '';
  await call('PUT', `${policyPath}${update}`, policy);

  const role = `${p.IndexPrefix.replace(/-/g, '_')}_writer`;
  await call('PUT', `_plugins/_security/api/roles/${role}`, {
    cluster_permissions: ['cluster_monitor', 'indices:data/write/bulk'],
    index_permissions: [
      { index_patterns: [pattern], allowed_actions: ['create_index', 'indices:admin/mapping/put', 'write'] },
    ],
  });
  await call('PUT', `_plugins/_security/api/rolesmapping/${role}`, { backend_roles: [p.WriterRoleArn] });
  return { PhysicalResourceId: physicalId };
};
