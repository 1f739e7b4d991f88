import { synthCharts } from './synth-charts';

/**
 * Deployed through the cluster, the manifests are inlined into the workloads stack's
 * CloudFormation template (at most 1 MB, and every manifest is a JSON string in it, so quotes
 * are escaped). This budget keeps a wide margin; crossing it means splitting the stack or
 * applying the YAML another way.
 */
const MANIFEST_BUDGET_BYTES = 150 * 1024;

test.each(['prod', 'scale'])('the %s manifests stay within the stack-size budget', (profile) => {
  const bytes = Buffer.byteLength(JSON.stringify(synthCharts(profile).objects));
  expect(bytes).toBeLessThan(MANIFEST_BUDGET_BYTES);
});
