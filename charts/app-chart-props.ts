import type { ChartProps } from 'cdk8s';
import type { Profile } from '../lib/config';
import type { ChatBackends } from './backends';

/** What each app's chart (gateway, api, worker) takes. */
export interface AppChartProps extends ChartProps {
  /** The environment profile (pod size, HPA bounds, and the settings the app's environment holds). */
  readonly profile: Profile;
  /** The app's image, pinned by digest or CDK asset hash. */
  readonly image: string;
  /** Data stores and secrets. */
  readonly backends: ChatBackends;
}
