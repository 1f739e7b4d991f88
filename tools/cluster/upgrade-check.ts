import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeInsightCommand,
  type EKSClient,
  paginateListAddons,
  paginateListInsights,
} from '@aws-sdk/client-eks';
import { ClusterCommandError, withEksErrors } from './eks';
import { collect, type CommandResult } from './status';

/** The next Kubernetes minor after `version` ("1.36" -> "1.37"). */
export function nextMinor(version: string): string {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match)
    throw new ClusterCommandError(`Cannot read the cluster's Kubernetes version "${version}" (expected major.minor)`);
  return `${match[1]}.${Number(match[2]) + 1}`;
}

/**
 * Readiness for the next Kubernetes minor: EKS upgrade insights for that version (details of
 * every one not passing: deprecated APIs still called, add-ons to update first), and for each
 * installed add-on whether its version supports the next minor, with the version EKS installs
 * there by default. Ready means no insight in ERROR and every add-on compatible.
 */
export async function upgradeCheck(client: EKSClient, clusterName: string, region: string): Promise<CommandResult> {
  return withEksErrors(clusterName, region, async () => {
    const { cluster } = await client.send(new DescribeClusterCommand({ name: clusterName }));
    const current = cluster?.version;
    if (!current)
      throw new ClusterCommandError(
        `Cluster "${clusterName}" reports no Kubernetes version (status ${cluster?.status ?? 'unknown'})`,
      );
    const next = nextMinor(current);
    const lines = [`Cluster ${clusterName} (${region}): Kubernetes ${current} -> ${next}`];
    let ready = true;

    const insights = [];
    for await (const page of paginateListInsights(
      { client },
      { clusterName, filter: { categories: ['UPGRADE_READINESS'], kubernetesVersions: [next] } },
    )) {
      insights.push(...(page.insights ?? []));
    }
    lines.push(`Upgrade insights for ${next} (${insights.length}):`);
    for (const summary of insights.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))) {
      const status = summary.insightStatus?.status ?? 'UNKNOWN';
      lines.push(
        `  [${status}] ${summary.name}${summary.insightStatus?.reason ? `: ${summary.insightStatus.reason}` : ''}`,
      );
      if (status === 'ERROR') ready = false;
      if (status === 'PASSING' || !summary.id) continue;
      const { insight } = await client.send(new DescribeInsightCommand({ clusterName, id: summary.id }));
      if (insight?.recommendation) lines.push(`    recommendation: ${insight.recommendation}`);
      for (const d of insight?.categorySpecificSummary?.deprecationDetails ?? []) {
        const clients = (d.clientStats ?? []).map(
          (c) => `${c.userAgent} (${c.numberOfRequestsLast30Days} requests in 30 days)`,
        );
        lines.push(
          `    ${d.usage} -> ${d.replacedWith ?? 'removed'} (stops serving in ${d.stopServingVersion})${clients.length ? `; callers: ${clients.join(', ')}` : ''}`,
        );
      }
      for (const a of insight?.categorySpecificSummary?.addonCompatibilityDetails ?? []) {
        lines.push(`    add-on ${a.name}: compatible versions ${(a.compatibleVersions ?? []).join(', ') || 'none'}`);
      }
      for (const r of insight?.resources ?? []) {
        lines.push(
          `    resource ${r.kubernetesResourceUri ?? r.arn}: ${r.insightStatus?.status ?? ''} ${r.insightStatus?.reason ?? ''}`.trimEnd(),
        );
      }
    }

    const addons = await collect(paginateListAddons({ client }, { clusterName }), (p) => p.addons);
    lines.push(`Add-ons on ${next} (${addons.length}):`);
    for (const name of addons.sort()) {
      const { addon } = await client.send(new DescribeAddonCommand({ clusterName, addonName: name }));
      const installed = addon?.addonVersion ?? '?';
      const { addons: info } = await client.send(
        new DescribeAddonVersionsCommand({ addonName: name, kubernetesVersion: next }),
      );
      const versions = info?.[0]?.addonVersions ?? [];
      const compatible = versions.filter((v) => (v.compatibilities ?? []).some((c) => c.clusterVersion === next));
      const byDefault = compatible.find((v) =>
        v.compatibilities?.some((c) => c.clusterVersion === next && c.defaultVersion),
      );
      const ok = compatible.some((v) => v.addonVersion === installed);
      if (compatible.length === 0) {
        ready = false;
        lines.push(`  ${name} ${installed}: NO version for ${next} yet`);
      } else if (ok) {
        lines.push(
          `  ${name} ${installed}: compatible with ${next} (default there: ${byDefault?.addonVersion ?? compatible[0].addonVersion})`,
        );
      } else {
        ready = false;
        lines.push(
          `  ${name} ${installed}: NOT compatible with ${next}; update to one of ${compatible
            .map((v) => v.addonVersion)
            .slice(0, 5)
            .join(', ')}` + ` (default: ${byDefault?.addonVersion ?? compatible[0].addonVersion}) before upgrading`,
        );
      }
    }
    lines.push(
      ready ? `Ready for ${next}.` : `NOT ready for ${next}: fix the ERROR insights and incompatible add-ons first.`,
    );
    return { lines, healthy: ready };
  });
}
