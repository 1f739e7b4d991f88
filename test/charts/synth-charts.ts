import { type Chart, Testing } from 'cdk8s';
import { createCoTalkCharts, type CoTalkCharts } from '../../charts/co-talk-charts';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { loadProfile, type Profile } from '../../lib/config';

/** A rendered Kubernetes object, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = Record<string, any>;

/** The charts of `profileName` with the placeholder values, and every object they render. */
export function synthCharts(profileName: string): { profile: Profile; charts: CoTalkCharts; objects: K8sObject[] } {
  const profile = loadProfile(profileName);
  const charts = createCoTalkCharts(Testing.app(), { profile, ...PLACEHOLDERS });
  const objects = Object.values(charts).flatMap((chart) => Testing.synth(chart) as K8sObject[]);
  return { profile, charts, objects };
}

/** The objects of `kind` (and `name`, when given). */
export function ofKind(objects: K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** The props every workload chart takes: the profile, the `co-talk` namespace, placeholder backends. */
export function workloadProps(profileName: string) {
  return { profile: loadProfile(profileName), namespace: 'co-talk', backends: PLACEHOLDERS.backends };
}

/** The objects one chart renders. */
export function synthChart(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}
