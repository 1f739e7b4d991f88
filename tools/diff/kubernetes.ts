import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { parseAllDocuments, stringify } from 'yaml';
import { resourcePath, type Template } from '../common/assembly';

/** Kubernetes objects keyed by `kind namespace/name`, each with where it came from. */
export type KubernetesObjects = Map<string, { readonly source: string; readonly object: unknown }>;

/** The change to one Kubernetes object between two revisions. */
export interface KubernetesObjectDiff {
  readonly key: string;
  readonly source: string;
  readonly change: 'added' | 'removed' | 'updated';
  /** A unified diff of the object's YAML. */
  readonly patch: string;
}

/** The CloudFormation types whose properties carry Kubernetes manifests. */
const MANIFEST_TYPES = new Set(['Custom::AWSCDK-EKS-KubernetesResource']);
/** Helm releases installed by the cluster's kubectl provider. */
const HELM_TYPE = 'Custom::AWSCDK-EKS-HelmChart';

/**
 * The Kubernetes objects of a template's manifest resources. The manifest is a JSON string,
 * or an `Fn::Join` when it embeds deploy-time values; those are shown as `${Ref:Id}` /
 * `${GetAtt:Id.Attr}` so a changed reference still shows up as a changed line.
 */
export function objectsInTemplate(template: Template): KubernetesObjects {
  const objects: KubernetesObjects = new Map();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type === HELM_TYPE) {
      const release = helmRelease(resource.Properties ?? {});
      objects.set(objectKey(release), { source: resourcePath(logicalId, resource), object: release });
      continue;
    }
    if (!MANIFEST_TYPES.has(resource.Type)) continue;
    const manifest = resource.Properties?.Manifest;
    const text = renderString(manifest);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = [{ kind: 'UnparsedManifest', metadata: { name: logicalId }, text }];
    }
    const source = resourcePath(logicalId, resource);
    for (const object of Array.isArray(parsed) ? parsed : [parsed]) objects.set(objectKey(object), { source, object });
  }
  return objects;
}

/**
 * A Helm release as a pseudo-object (`HelmRelease namespace/release`): chart, repository,
 * version and the values, parsed, so a changed value shows as one changed YAML line.
 */
function helmRelease(props: Record<string, unknown>): unknown {
  const valuesText = renderString(props.Values ?? '{}');
  let values: unknown;
  try {
    values = JSON.parse(valuesText);
  } catch {
    values = valuesText;
  }
  return {
    kind: 'HelmRelease',
    metadata: {
      name: renderString(props.Release ?? '(unnamed)'),
      namespace: renderString(props.Namespace ?? 'default'),
    },
    chart: props.Chart,
    repository: props.Repository,
    version: props.Version,
    values,
  };
}

/**
 * The Kubernetes objects of rendered YAML files (e.g. `charts/dist/prod/*.k8s.yaml`), keyed like
 * the template's and prefixed with the file's folder (the profile), so one object rendered for
 * two profiles stays two objects; the file name itself may carry a hash and is left out.
 */
export function objectsInYaml(files: ReadonlyMap<string, string>): KubernetesObjects {
  const objects: KubernetesObjects = new Map();
  for (const [file, text] of files) {
    const folder = path.posix.basename(path.posix.dirname(file));
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as unknown;
      if (object !== null && object !== undefined)
        objects.set(`${folder}: ${objectKey(object)}`, { source: file, object });
    }
  }
  return objects;
}

/** Per-object diffs between two sets of objects, sorted by key. */
export function diffObjects(before: KubernetesObjects, after: KubernetesObjects): KubernetesObjectDiff[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const diffs: KubernetesObjectDiff[] = [];
  for (const key of keys) {
    const a = before.get(key);
    const b = after.get(key);
    const oldYaml = a ? stringify(a.object, { sortMapEntries: true }) : '';
    const newYaml = b ? stringify(b.object, { sortMapEntries: true }) : '';
    if (oldYaml === newYaml) continue;
    const patch = createTwoFilesPatch(key, key, oldYaml, newYaml, 'before', 'after', { context: 3 })
      .split('\n')
      .slice(2) // drop the "Index:" banner; the key heads the diff already
      .join('\n')
      .trimEnd();
    diffs.push({ key, source: (b ?? a)!.source, change: !a ? 'added' : !b ? 'removed' : 'updated', patch });
  }
  return diffs;
}

function objectKey(object: unknown): string {
  const o = (object ?? {}) as { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string } };
  return `${o.kind ?? 'Unknown'} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? '(unnamed)'}`;
}

/** A manifest property as text, deploy-time values rendered as `${...}` placeholders. */
function renderString(value: unknown): string {
  if (typeof value === 'string') return value;
  const record = (value ?? {}) as Record<string, unknown>;
  const join = record['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part: unknown) => (typeof part === 'string' ? part : placeholder(part))).join(join[0]);
  }
  return placeholder(value);
}

function placeholder(value: unknown): string {
  const record = (value ?? {}) as Record<string, unknown>;
  if (typeof record.Ref === 'string') return `\${Ref:${record.Ref}}`;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `\${GetAtt:${getAtt.join('.')}}`;
  if (typeof record['Fn::ImportValue'] === 'string') return `\${Import:${record['Fn::ImportValue']}}`;
  return `\${${JSON.stringify(value).replace(/["\\]/g, '')}}`;
}
