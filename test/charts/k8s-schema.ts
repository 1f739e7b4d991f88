import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** One object's schema validation result. */
export interface SchemaResult {
  readonly index: number;
  readonly kind: string;
  readonly errors: string[];
}

/**
 * Validates `objects` against the Kubernetes 1.36 schema and the Prometheus operator CRDs, in a
 * node child process (the validator packages are ES modules only).
 */
export function validateAgainstSchema(objects: readonly object[]): SchemaResult[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'validate-manifests.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output) as SchemaResult[];
}
