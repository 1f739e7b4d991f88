import type { AssemblyStack } from '../common/assembly';
import { diffStack, type StackDiff } from './stack-diff';

/** The changed stacks between two synthesized apps, matched by artifact id; unchanged stacks are left out. */
export function diffAssemblies(before: readonly AssemblyStack[], after: readonly AssemblyStack[]): StackDiff[] {
  const ids = [...new Set([...before.map((s) => s.id), ...after.map((s) => s.id)])].sort();
  return ids
    .map((id) => diffStack(id, before.find((s) => s.id === id)?.template, after.find((s) => s.id === id)?.template))
    .filter((d) => d.resources.length > 0 || d.kubernetes.length > 0 || d.otherChanges > 0);
}
