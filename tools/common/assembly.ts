import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as synthesized; only the sections the tools read are typed. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
  readonly [section: string]: unknown;
}

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One stack of a cloud assembly. */
export interface AssemblyStack {
  /** Artifact id, unique in the assembly (e.g. `Network`, or `Stage/Network` in a nested assembly). */
  readonly id: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** `aws://account/region` as synthesized. */
  readonly environment: string;
  /** Artifact ids of the stacks this one depends on. */
  readonly dependencies: string[];
  readonly template: Template;
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly dependencies?: string[];
  readonly properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

/**
 * Reads every CloudFormation stack of a cloud assembly directory, nested assemblies (stages)
 * included, from `manifest.json`. Reading the manifest directly keeps the tools independent of
 * the CDK version that wrote it (the base revision of a diff may pin another one).
 */
export function readAssembly(dir: string, prefix = ''): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${dir} is not a cloud assembly: no manifest.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const template = JSON.parse(
        fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'),
      ) as Template;
      stacks.push({
        id: prefix + (artifact.displayName ?? id),
        stackName: artifact.properties.stackName ?? id,
        environment: artifact.environment ?? 'aws://unknown-account/unknown-region',
        dependencies: (artifact.dependencies ?? []).filter(
          (d) => manifest.artifacts?.[d]?.type === 'aws:cloudformation:stack',
        ),
        template,
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(dir, artifact.properties.directoryName), `${prefix}${id}/`));
    }
  }
  return stacks.sort((a, b) => a.id.localeCompare(b.id));
}

/** The region of a stack environment `aws://account/region`. */
export function regionOf(stack: AssemblyStack): string {
  return stack.environment.split('/').pop() ?? 'unknown-region';
}

/** The construct path of a resource (from `aws:cdk:path` metadata), or its logical id. */
export function resourcePath(logicalId: string, resource: TemplateResource | undefined): string {
  const p = resource?.Metadata?.['aws:cdk:path'];
  return typeof p === 'string' ? p : logicalId;
}

/** Logical ids `value` refers to with `Ref` or `Fn::GetAtt`, searched recursively. */
export function referencedLogicalIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) found.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
      else if (key === 'Fn::GetAtt' && typeof inner === 'string') found.add(inner.split('.')[0]);
      else referencedLogicalIds(inner, found);
    }
  }
  return found;
}

/** The logical id a `{ Ref: id }` value points at, if it is exactly that. */
export function refTarget(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const ref = (value as Record<string, unknown>).Ref;
    if (typeof ref === 'string') return ref;
  }
  return undefined;
}
