import { INTERFACE_ENDPOINT_NAMES, type Profile } from '../../lib/config';
import { cpuMillis, memoryMiB } from '../../lib/config/instance-shapes';
import { DESIGN_ESTIMATE } from './design-estimate';
import type { EstimateOptions } from './estimate';
import type { ExtraChoices } from './report';

/** What the templates cannot tell: the pods each node group must hold at rest, and prod's data transfer. */
export function estimateOptions(profile: Profile): EstimateOptions {
  const demand = (workload: 'gateway' | 'api') => ({
    workload,
    pods: profile.workloads[workload].minReplicas,
    cpuMillis: cpuMillis(profile.workloads[workload].cpu),
    memoryMiB: memoryMiB(profile.workloads[workload].memory),
  });
  const transfer = DESIGN_ESTIMATE.rows.find((r) => r.category === 'dataTransfer')?.monthlyUsd;
  return {
    podDemand: { gateway: demand('gateway'), api: demand('api') },
    // The design's table counts $200 of data transfer for its target column (prod) only.
    dataTransferUsd: profile.name === DESIGN_ESTIMATE.profile ? transfer : undefined,
  };
}

/** The profile's always-on extras, for the report. */
export function extraChoices(profile: Profile): ExtraChoices {
  const chosen: Partial<Record<string, string>> = profile.network.interfaceEndpoints;
  return {
    natGateways: profile.network.natGateways,
    zones: profile.env.availabilityZones.length,
    interfaceEndpoints: INTERFACE_ENDPOINT_NAMES.map((name) => ({ name, reason: chosen[name] })),
  };
}
