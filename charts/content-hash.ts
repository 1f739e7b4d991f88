import { createHash } from 'node:crypto';

/**
 * Turns a value that may hold deploy-time tokens into stable text. A chart built inside a CDK
 * stack receives tokens (`${Token[…]}`) whose numbers change from one synth to the next: hashing
 * them would rename the migrations Job and restart Kong on every deploy of an unchanged tree, and
 * would miss a real change behind the token. The workloads stack resolves them to the
 * CloudFormation references they stand for; standalone YAML has none.
 */
export type Fingerprint = (value: unknown) => string;

/** For values without tokens: standalone charts and tests. */
export const plainFingerprint: Fingerprint = (value) => JSON.stringify(value);

/** SHA-256 (hex) of the value's fingerprint, shortened to `length` characters. */
export function contentHash(value: unknown, fingerprint: Fingerprint = plainFingerprint, length = 64): string {
  return createHash('sha256').update(fingerprint(value)).digest('hex').slice(0, length);
}
