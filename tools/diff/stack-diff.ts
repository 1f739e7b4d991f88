import { Writable } from 'node:stream';
import { formatDifferences, fullDiff, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { resourcePath, type Template } from '../common/assembly';
import { diffObjects, type KubernetesObjectDiff, objectsInTemplate } from './kubernetes';
import { STATEFUL_TYPES } from './stateful';

/** How one resource changes. */
export type ResourceChangeKind = 'added' | 'removed' | 'orphaned' | 'replaced' | 'may be replaced' | 'updated';

/** One changed resource. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly path: string;
  readonly type: string;
  readonly kind: ResourceChangeKind;
  /** Changed properties; those that force a replacement are suffixed ` (replaces)`. */
  readonly properties: string[];
  /** A data-holding resource that is replaced or removed. */
  readonly stateful: boolean;
}

/** What changes in one stack of one profile. */
export interface StackDiff {
  readonly stack: string;
  readonly resources: ResourceChange[];
  /** Rows of changed IAM statements and managed policies: `[+/-, resource, effect, action, principal, condition]`. */
  readonly iam: string[][];
  /** Rows of changed security-group rules: `[+/-, group, direction, protocol, peer]`. */
  readonly securityGroups: string[][];
  /** True when an IAM statement or security-group rule grants more than before. */
  readonly widens: boolean;
  readonly kubernetes: KubernetesObjectDiff[];
  /** Replacements or removals of data-holding resources. */
  readonly hazards: ResourceChange[];
  /** The diff library's own full rendering (every property's old and new value), shown with `--details`. */
  readonly details: string;
  /** How many outputs, parameters, conditions and other non-resource entries changed. */
  readonly otherChanges: number;
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

/**
 * Compares two templates of one stack with the CDK's own CloudFormation diff library
 * (`@aws-cdk/cloudformation-diff`, what `cdk diff` uses): it knows, per resource type and
 * property, which changes replace the resource. A missing side is an empty template.
 */
export function diffStack(stack: string, before: Template | undefined, after: Template | undefined): StackDiff {
  const diff: TemplateDiff = fullDiff(before ?? {}, after ?? {});
  const resources: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    const type = change.newResourceType ?? change.oldResourceType ?? 'unknown';
    const kind = KIND_OF_IMPACT[change.changeImpact];
    if (kind === undefined) return;
    const properties = Object.entries(change.propertyUpdates).map(([name, update]) =>
      update.changeImpact === ResourceImpact.WILL_REPLACE
        ? `${name} (replaces)`
        : update.changeImpact === ResourceImpact.MAY_REPLACE
          ? `${name} (may replace)`
          : name,
    );
    if (change.resourceTypeChanged) properties.unshift(`Type ${change.oldResourceType} -> ${change.newResourceType}`);
    for (const name of Object.keys(change.otherChanges)) properties.push(name);
    const dangerous = kind === 'removed' || kind === 'replaced' || kind === 'may be replaced';
    const oldType = change.oldResourceType ?? type;
    resources.push({
      logicalId,
      path: resourcePath(logicalId, (after?.Resources?.[logicalId] ?? before?.Resources?.[logicalId]) as never),
      type,
      kind,
      properties,
      stateful: dangerous && STATEFUL_TYPES.has(oldType),
    });
  });

  const strip = (rows: string[][]) => rows.slice(1).map((row) => row.map((cell) => cell.replace(ANSI, '')));
  const iam = [...strip(diff.iamChanges.summarizeStatements()), ...strip(diff.iamChanges.summarizeManagedPolicies())];
  const securityGroups = strip(diff.securityGroupChanges.summarize());
  const kubernetes = diffObjects(objectsInTemplate(before ?? {}), objectsInTemplate(after ?? {}));
  const otherChanges = [
    diff.outputs,
    diff.parameters,
    diff.conditions,
    diff.mappings,
    diff.metadata,
    diff.unknown,
  ].reduce((n, collection) => n + collection.differenceCount, 0);

  return {
    stack,
    details: render(diff, { ...pathMap(before), ...pathMap(after) }),
    resources,
    iam,
    securityGroups,
    widens: diff.permissionsBroadened,
    kubernetes,
    hazards: resources.filter((r) => r.stateful),
    otherChanges,
  };
}

/** What `cdk diff` would print for the stack, without colours. */
function render(diff: TemplateDiff, paths: Record<string, string>): string {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  formatDifferences(sink, diff, paths);
  return chunks.join('').replace(ANSI, '').trimEnd();
}

function pathMap(template: Template | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template?.Resources ?? {}).map(([logicalId, resource]) => [
      logicalId,
      resourcePath(logicalId, resource),
    ]),
  );
}

/** What each impact the diff library reports means for the resource; no change is no row. */
const KIND_OF_IMPACT: Record<ResourceImpact, ResourceChangeKind | undefined> = {
  [ResourceImpact.WILL_CREATE]: 'added',
  [ResourceImpact.WILL_IMPORT]: 'added',
  [ResourceImpact.WILL_DESTROY]: 'removed',
  [ResourceImpact.WILL_ORPHAN]: 'orphaned',
  [ResourceImpact.WILL_REPLACE]: 'replaced',
  [ResourceImpact.MAY_REPLACE]: 'may be replaced',
  [ResourceImpact.WILL_UPDATE]: 'updated',
  [ResourceImpact.NO_CHANGE]: undefined,
};
