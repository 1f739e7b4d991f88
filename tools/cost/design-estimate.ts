import type { CostCategory } from './price-table';

/** One row of the design document's monthly cost table. */
export interface DesignCostRow {
  readonly item: string;
  readonly monthlyUsd: number;
  /** The category of the estimate the row is compared with. */
  readonly category: CostCategory;
  /** For a node group row: the role whose node group (instances and disks) the row prices. */
  readonly nodeRole?: string;
}

/**
 * The design document's monthly AWS cost estimate, the one place these figures live.
 *
 * Source: the Co-Talk design brief, "Cost estimate in the document (AWS, monthly)": EKS $73,
 * EC2 WebSocket x10 $1,200, EC2 API $800, RDS $500, ElastiCache $600, Elasticsearch $400,
 * ALB/NLB $50, data transfer $200; about $3,800 in all (reserved instances ~$2,700, spot
 * ~$1,900). The table describes the brief's target column, which is the `prod` profile.
 */
export const DESIGN_ESTIMATE: {
  readonly profile: string;
  readonly statedTotalUsd: number;
  /** "with reserved instances ~$2,700". */
  readonly statedReservedUsd: number;
  /** "with spot ~$1,900". */
  readonly statedSpotUsd: number;
  readonly rows: readonly DesignCostRow[];
} = {
  profile: 'prod',
  statedTotalUsd: 3800,
  statedReservedUsd: 2700,
  statedSpotUsd: 1900,
  rows: [
    { item: 'EKS', monthlyUsd: 73, category: 'eks' },
    { item: 'EC2 WebSocket x10', monthlyUsd: 1200, category: 'compute', nodeRole: 'gateway' },
    { item: 'EC2 API', monthlyUsd: 800, category: 'compute', nodeRole: 'api' },
    { item: 'RDS', monthlyUsd: 500, category: 'rds' },
    { item: 'ElastiCache', monthlyUsd: 600, category: 'elasticache' },
    { item: 'Elasticsearch', monthlyUsd: 400, category: 'opensearch' },
    { item: 'ALB/NLB', monthlyUsd: 50, category: 'loadBalancers' },
    { item: 'Data transfer', monthlyUsd: 200, category: 'dataTransfer' },
  ],
};
