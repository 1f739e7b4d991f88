/** How many attempts the tools' AWS clients make before giving up (the SDK retries throttling with backoff). */
export const AWS_MAX_ATTEMPTS = 6;

/**
 * One clear line for an AWS SDK failure, naming what to do: no credentials, access denied,
 * throttling that outlasted the retries, or the raw message for anything else.
 * "Not found" is left to the caller, which knows what was looked for.
 */
export function describeAwsError(error: unknown, service: string): string {
  const err = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
  const name = err.name ?? '';
  if (
    name === 'CredentialsProviderError' ||
    (/Could not load credentials|credential/i.test(err.message ?? '') && name !== 'AccessDeniedException')
  ) {
    return (
      `No AWS credentials found for ${service}. Sign in first (aws sso login --profile NAME, then ` +
      `export AWS_PROFILE=NAME); in CI, assume the OIDC role with aws-actions/configure-aws-credentials.`
    );
  }
  if (['ExpiredTokenException', 'ExpiredToken', 'TokenRefreshRequired'].includes(name)) {
    return `The AWS session for ${service} has expired: sign in again (aws sso login).`;
  }
  if (
    ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException'].includes(name)
  ) {
    return `Access denied by ${service}: ${err.message ?? name}. Use a role allowed to call it.`;
  }
  if (['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded'].includes(name)) {
    const attempts = err.$metadata?.attempts ?? AWS_MAX_ATTEMPTS;
    return `${service} kept throttling the requests (gave up after ${attempts} attempts with backoff); wait a minute and run it again.`;
  }
  return `${service} call failed: ${name ? `${name}: ` : ''}${err.message ?? String(error)}`;
}
