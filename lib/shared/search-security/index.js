/* global Buffer, fetch */
// CloudFormation custom resource (Provider framework onEvent handler): sets up the OpenSearch
// domain's fine-grained access control. Runs inside the VPC and signs in as the master user, whose
// secret it reads at run time (never in the template): the one place the master user is used
// besides break-glass. Its properties:
//  - Roles: security roles ({ name, cluster_permissions, index_permissions, backend_roles }), each
//    mapped to the IAM role ARNs in its backend_roles, so a client signing with SigV4 as that IAM
//    role gets exactly that role's permissions;
//  - IsmPolicies (optional): index state management policies ({ id, policy }).
// Create and update put every one (PUT replaces, so a repeated event is harmless) and remove the
// roles an update dropped. Delete removes the roles and their mappings, keeping the ISM policies
// (the indices they govern outlive this resource), and never fails the stack: a domain already
// gone or unreachable leaves nothing worth blocking a deletion for.

/** Reads the master user (`{"username","password"}`) from Secrets Manager. */
async function readMasterUser(secretArn) {
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  return JSON.parse(secret.SecretString);
}

/** A caller of the domain's REST API as the master user; throws on a status outside `okStatuses`. */
function domainApi(endpoint, { username, password }, fetchImpl) {
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return async (method, path, body, okStatuses = [200, 201]) => {
    const response = await fetchImpl(`https://${endpoint}/${path}`, {
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
}

const rolePath = (name) => `_plugins/_security/api/roles/${encodeURIComponent(name)}`;
const mappingPath = (name) => `_plugins/_security/api/rolesmapping/${encodeURIComponent(name)}`;

async function removeRole(call, name) {
  // The mapping first: a role without a mapping grants nothing.
  await call('DELETE', mappingPath(name), undefined, [200, 404]);
  await call('DELETE', rolePath(name), undefined, [200, 404]);
}

async function putIsmPolicy(call, { id, policy }) {
  const path = `_plugins/_ism/policies/${encodeURIComponent(id)}`;
  const existing = await call('GET', path, undefined, [200, 404]);
  // ISM updates an existing policy only with its sequence number and primary term.
  const update =
    existing.status === 200 ? `?if_seq_no=${existing.json._seq_no}&if_primary_term=${existing.json._primary_term}` : '';
  await call('PUT', `${path}${update}`, { policy });
}

async function putRole(call, { name, cluster_permissions, index_permissions, backend_roles }) {
  await call('PUT', rolePath(name), { cluster_permissions, index_permissions });
  await call('PUT', mappingPath(name), { backend_roles });
}

/** The handler, with its two ways out of the function (Secrets Manager, HTTP) given. */
function makeHandler({ readSecret = readMasterUser, fetchImpl = fetch, log = console } = {}) {
  return async (event) => {
    const p = event.ResourceProperties;
    const physicalId = `${p.Endpoint}/${p.Name}`;
    const roles = p.Roles ?? [];
    const connect = async () => domainApi(p.Endpoint, await readSecret(p.MasterUserSecretArn), fetchImpl);

    if (event.RequestType === 'Delete') {
      try {
        const call = await connect();
        for (const role of roles) await removeRole(call, role.name);
      } catch (err) {
        log.warn(`roles not removed (${roles.map((r) => r.name).join(', ')}): ${err.message}`);
      }
      return { PhysicalResourceId: physicalId };
    }

    const call = await connect();
    for (const policy of p.IsmPolicies ?? []) await putIsmPolicy(call, policy);
    for (const role of roles) await putRole(call, role);
    if (event.RequestType === 'Update') {
      const kept = new Set(roles.map((r) => r.name));
      for (const old of event.OldResourceProperties?.Roles ?? []) {
        if (!kept.has(old.name)) await removeRole(call, old.name);
      }
    }
    return { PhysicalResourceId: physicalId };
  };
}

module.exports = { handler: makeHandler(), makeHandler };
