/* global Buffer */
// Secrets Manager rotation function for the access token keys (ES256). The rotated secret holds the
// private key set `{"current":"<kid>","keys":[{"kid","privateKey"}]}` (the api's alone); the public
// halves are published to a second secret, `{"keys":[{"kid","publicKey"}]}`, which the gateway and
// Kong verify with. A set holds a window of three keys: previous, current and next. Each rotation
// shifts it by one (previous := current, current := next, next := a new key), so every verifier has
// known the new current key for a whole rotation period before the api signs with it, and tokens
// signed with the old current key stay valid. A kid is its key's RFC 7638 thumbprint.
// The four steps are Secrets Manager's rotation protocol:
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
const { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } = require('node:crypto');

function thumbprint(publicKey) {
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { kid: thumbprint(publicKey), privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
}

/** The key set `value` holds, or null for the initial value (no key yet). */
function parseSet(value) {
  let parsed;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!parsed || !Array.isArray(parsed.keys) || parsed.keys.length === 0 || typeof parsed.current !== 'string') {
    return null;
  }
  return parsed;
}

/**
 * The set after one rotation. From the initial value: a current and a next key. Otherwise the key
 * after the current one becomes current, and the window is its predecessor, itself and a new key.
 */
function rotateSet(set, makeKey = newKey) {
  if (set === null) {
    const [current, next] = [makeKey(), makeKey()];
    return { current: current.kid, keys: [current, next] };
  }
  const at = set.keys.findIndex((key) => key.kid === set.current);
  if (at < 0) throw new Error('the key set names a current key it does not hold');
  // A set whose current key is its last (an earlier rotation cut short) gets its next key now.
  const keys = at + 1 < set.keys.length ? set.keys : [...set.keys, makeKey()];
  const current = keys[at + 1];
  return { current: current.kid, keys: [keys[at], current, makeKey()] };
}

/** The public set of a private one: what verifiers get. */
function publicSetOf(set) {
  return {
    keys: set.keys.map(({ kid, privateKey }) => ({
      kid,
      publicKey: createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }),
    })),
  };
}

/** Every key signs and verifies, and its kid is its thumbprint: nothing broken gets published. */
function checkSet(set) {
  if (!set.keys.some((key) => key.kid === set.current)) throw new Error('current names no key of the set');
  for (const { kid, privateKey } of set.keys) {
    const key = createPrivateKey(privateKey);
    const publicKey = createPublicKey(key);
    if (thumbprint(publicKey) !== kid) throw new Error(`key ${kid}: the kid is not its thumbprint`);
    const signature = sign('sha256', Buffer.from(kid), key);
    if (!verify('sha256', Buffer.from(kid), publicKey, signature)) throw new Error(`key ${kid}: does not verify`);
  }
}

async function handler(event) {
  const sm = require('@aws-sdk/client-secrets-manager');
  const client = new sm.SecretsManagerClient({});
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const publicSecretId = process.env.PUBLIC_KEYS_SECRET_ARN;

  const metadata = await client.send(new sm.DescribeSecretCommand({ SecretId: secretId }));
  const stages = (metadata.VersionIdsToStages ?? {})[token];
  if (!metadata.RotationEnabled) throw new Error('rotation is not enabled on the secret');
  if (stages === undefined) throw new Error('the version to rotate to is not a version of the secret');
  if (stages.includes('AWSCURRENT')) return; // already done
  if (!stages.includes('AWSPENDING')) throw new Error('the version to rotate to is not pending');

  const valueOf = async (stage, versionId) =>
    (
      await client.send(
        new sm.GetSecretValueCommand({
          SecretId: secretId,
          ...(versionId ? { VersionId: versionId } : { VersionStage: stage }),
        }),
      )
    ).SecretString;

  if (step === 'createSecret') {
    try {
      await valueOf('AWSPENDING', token);
      return; // created by an earlier attempt of this rotation
    } catch (err) {
      if (err.name !== 'ResourceNotFoundException') throw err;
    }
    const next = rotateSet(parseSet(await valueOf('AWSCURRENT')));
    checkSet(next);
    await client.send(
      new sm.PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify(next),
        VersionStages: ['AWSPENDING'],
      }),
    );
  } else if (step === 'setSecret') {
    // Publish before the api can see the new set: verifiers then know every key it may sign with.
    const pending = JSON.parse(await valueOf('AWSPENDING', token));
    await client.send(
      new sm.PutSecretValueCommand({ SecretId: publicSecretId, SecretString: JSON.stringify(publicSetOf(pending)) }),
    );
  } else if (step === 'testSecret') {
    checkSet(JSON.parse(await valueOf('AWSPENDING', token)));
  } else if (step === 'finishSecret') {
    const current = Object.entries(metadata.VersionIdsToStages).find(([, s]) => s.includes('AWSCURRENT'));
    await client.send(
      new sm.UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        ...(current ? { RemoveFromVersionId: current[0] } : {}),
      }),
    );
  } else {
    throw new Error(`unknown rotation step ${step}`);
  }
}

module.exports = { handler, rotateSet, publicSetOf, parseSet, checkSet, thumbprint };
