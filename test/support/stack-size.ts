import type { Template } from 'aws-cdk-lib/assertions';

/** CloudFormation stops at 500 resources and 1 MB; stay well under both. */
export const MAX_RESOURCES = 400;
export const MAX_TEMPLATE_BYTES = 800 * 1024;

/** Size of one top-level construct of a stack: its resources and their share of the template. */
export interface ConstructSize {
  readonly path: string;
  readonly resources: number;
  readonly bytes: number;
}

/** The template as `cdk synth` writes it (one-space indent), in bytes. */
export function templateBytes(template: Template): number {
  return Buffer.byteLength(JSON.stringify(template.toJSON(), undefined, 1));
}

/**
 * Groups a template's resources by the construct under the stack that created them (the second
 * segment of `aws:cdk:path`, e.g. `ChatDatabase`), largest first.
 */
export function largestConstructs(template: Template, count = 5): ConstructSize[] {
  const sizes = new Map<string, { resources: number; bytes: number }>();
  const resources = template.toJSON().Resources as Record<string, { Metadata?: Record<string, string> }>;
  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = resource.Metadata?.['aws:cdk:path']?.split('/').slice(0, 2).join('/') ?? logicalId;
    const size = sizes.get(path) ?? { resources: 0, bytes: 0 };
    size.resources += 1;
    size.bytes += Buffer.byteLength(JSON.stringify(resource, undefined, 1));
    sizes.set(path, size);
  }
  return [...sizes.entries()]
    .map(([path, size]) => ({ path, ...size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

/** The limits a stack must stay under. */
export interface StackSizeLimits {
  readonly resources: number;
  readonly bytes: number;
}

/** Why a stack is too large, naming its largest constructs; undefined when it fits. */
export function stackSizeProblem(
  stackName: string,
  template: Template,
  limits: StackSizeLimits = { resources: MAX_RESOURCES, bytes: MAX_TEMPLATE_BYTES },
): string | undefined {
  const resources = Object.keys(template.toJSON().Resources ?? {}).length;
  const bytes = templateBytes(template);
  if (resources < limits.resources && bytes < limits.bytes) return undefined;
  const largest = largestConstructs(template)
    .map((c) => `${c.path} (${c.resources} resources, ${Math.round(c.bytes / 1024)} KB)`)
    .join(', ');
  return (
    `${stackName}: ${resources} resources (limit ${limits.resources}), ${Math.round(bytes / 1024)} KB ` +
    `(limit ${Math.round(limits.bytes / 1024)} KB); largest constructs: ${largest}`
  );
}
