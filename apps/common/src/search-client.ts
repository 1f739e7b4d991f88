import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { z } from 'zod';
import { EnvError, envBoolean } from './env';

/**
 * The OpenSearch client of the API and the worker. In production each app signs its requests with
 * SigV4 as its own Pod Identity role (`OPENSEARCH_IAM_AUTH=true`); the domain's fine-grained access
 * control maps that role to a security role allowed only what the app does (`co_talk_api` searches
 * the message index, `co_talk_worker` creates and writes it). No app holds a password: the master
 * user is the deploy-time bootstrap's and break-glass's. Locally the URL alone (a plain OpenSearch)
 * or a basic-auth user of a local one; without a URL the apps do without OpenSearch.
 */

/** The OpenSearch settings the API and the worker read; compose into the app's env schema. */
export const searchEnvShape = {
  OPENSEARCH_URL: z.url({ protocol: /^https?$/, error: 'expected http(s)://host:port' }).optional(),
  /** Sign every request with SigV4 as the pod's IAM role (production). */
  OPENSEARCH_IAM_AUTH: envBoolean.optional(),
  OPENSEARCH_USERNAME: z.string().min(1).optional(),
  OPENSEARCH_PASSWORD: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
};

/** The parsed values of {@link searchEnvShape}. */
export type SearchEnv = Readonly<z.infer<z.ZodObject<typeof searchEnvShape>>>;

/** Where SigV4 signing takes its credentials from. */
export type SearchCredentials = ReturnType<typeof defaultProvider>;

/** How a client reaches the domain and proves who it is. */
export type SearchClientOptions =
  /** SigV4 as the default credential chain's identity (EKS Pod Identity in the cluster). */
  | {
      readonly url: string;
      readonly auth: 'iam';
      readonly region: string;
      /** @default - the default credential provider chain */
      readonly credentials?: SearchCredentials;
    }
  /** A local OpenSearch: no authentication, or a basic-auth user. */
  | { readonly url: string; readonly auth: 'none' }
  | { readonly url: string; readonly auth: 'basic'; readonly username: string; readonly password: string };

/**
 * Client options from parsed environment values, or `undefined` when no OpenSearch is configured.
 * Throws `EnvError` naming the variables of a contradictory or incomplete set.
 */
export function searchOptionsFromEnv(env: SearchEnv): SearchClientOptions | undefined {
  const problems: string[] = [];
  const basic = env.OPENSEARCH_USERNAME !== undefined || env.OPENSEARCH_PASSWORD !== undefined;
  if (env.OPENSEARCH_URL === undefined) {
    for (const name of ['OPENSEARCH_IAM_AUTH', 'OPENSEARCH_USERNAME', 'OPENSEARCH_PASSWORD'] as const) {
      if (env[name] !== undefined) problems.push(`${name}: needs OPENSEARCH_URL`);
    }
  } else if (env.OPENSEARCH_IAM_AUTH === true) {
    if (env.AWS_REGION === undefined)
      problems.push('OPENSEARCH_IAM_AUTH: needs AWS_REGION (requests are signed for it)');
    if (basic) problems.push('OPENSEARCH_IAM_AUTH and OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD: set one, not both');
    if (!env.OPENSEARCH_URL.startsWith('https:'))
      problems.push('OPENSEARCH_URL: must be https:// with OPENSEARCH_IAM_AUTH (the domain serves HTTPS only)');
  } else if (basic && (env.OPENSEARCH_USERNAME === undefined || env.OPENSEARCH_PASSWORD === undefined)) {
    problems.push('OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD: set both, or neither');
  }
  if (problems.length > 0) throw new EnvError(problems);
  if (env.OPENSEARCH_URL === undefined) return undefined;
  if (env.OPENSEARCH_IAM_AUTH === true) return { url: env.OPENSEARCH_URL, auth: 'iam', region: env.AWS_REGION! };
  if (basic) {
    return {
      url: env.OPENSEARCH_URL,
      auth: 'basic',
      username: env.OPENSEARCH_USERNAME!,
      password: env.OPENSEARCH_PASSWORD!,
    };
  }
  return { url: env.OPENSEARCH_URL, auth: 'none' };
}

/** A client for `options`; connections open on the first request. */
export function createSearchClient(options: SearchClientOptions): Client {
  switch (options.auth) {
    case 'iam':
      return new Client({
        node: options.url,
        // The chain's provider caches the credentials and fetches new ones before they expire;
        // the signer asks it again when the ones in hand are about to.
        ...AwsSigv4Signer({
          region: options.region,
          service: 'es',
          getCredentials: options.credentials ?? defaultProvider(),
        }),
      });
    case 'basic':
      return new Client({ node: options.url, auth: { username: options.username, password: options.password } });
    case 'none':
      return new Client({ node: options.url });
  }
}
