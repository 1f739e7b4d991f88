import type { Template } from 'aws-cdk-lib/assertions';

/** A rendered Kubernetes object, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = Record<string, any>;

/**
 * The Kubernetes objects of one manifest resource. The manifest is a `Fn::Join` of JSON text and
 * CloudFormation references; each reference becomes a readable marker inside its JSON string —
 * `«Stack/OutputName»` for another stack's output, `«Ref:Name»` for a `Ref` — so the tests can
 * assert that a value is a reference and to what, never a copied string.
 */
export function manifestObjects(template: Template, constructId: string): K8sObject[] {
  const logicalId = new RegExp(`^${constructId}[0-9A-F]{8}$`);
  const resources = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).filter(([id]) =>
    logicalId.test(id),
  );
  if (resources.length !== 1)
    throw new Error(`expected one manifest resource ${constructId}, found ${resources.length}`);
  return JSON.parse(renderReferences(resources[0][1].Properties.Manifest));
}

/** A CloudFormation string (plain or `Fn::Join`) with each reference as a readable marker. */
export function renderReferences(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(renderReferences).join(separator);
  }
  if (v['Fn::GetStackOutput']) {
    const { StackName, OutputName } = v['Fn::GetStackOutput'] as { StackName: string; OutputName: string };
    return `«${StackName}/${OutputName}»`;
  }
  if (v.Ref) return `«Ref:${v.Ref as string}»`;
  if (v['Fn::ImportValue']) return `«Import:${JSON.stringify(v['Fn::ImportValue']).replace(/"/g, '')}»`;
  throw new Error(`unexpected intrinsic in a manifest: ${JSON.stringify(value)}`);
}

/** The environment of a Deployment's (or Job's) first container, by name. */
export function containerEnv(object: K8sObject): Record<string, string> {
  return Object.fromEntries(
    (object.spec.template.spec.containers[0].env as K8sObject[]).map((e) => [e.name as string, e.value as string]),
  );
}
