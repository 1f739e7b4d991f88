import { type AssemblyStack, referencedLogicalIds, resourcePath, type TemplateResource } from '../common/assembly';
import { literalNumber } from '../common/template-values';

/** How a resource type appears: its label, and whether all of a stack's resources of the type share one node. */
interface Shape {
  readonly label: (props: Record<string, unknown>) => string;
  readonly aggregate?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '?');
const num = (v: unknown) => literalNumber(v) ?? '?';
const obj = (v: unknown) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The resource types the picture shows; everything else is plumbing that references pass through. */
const SHAPES: Readonly<Record<string, Shape>> = {
  'AWS::EC2::VPC': { label: (p) => `VPC ${str(p.CidrBlock)}` },
  'AWS::EC2::NatGateway': { label: () => 'NAT gateway', aggregate: true },
  'AWS::EKS::Cluster': { label: (p) => `EKS ${str(p.Version)}` },
  'AWS::EKS::Nodegroup': {
    label: (p) =>
      `node group ${num(obj(p.ScalingConfig).DesiredSize)} x ${Array.isArray(p.InstanceTypes) ? p.InstanceTypes.join('/') : '?'}`,
  },
  'AWS::EKS::Addon': { label: () => 'EKS add-on', aggregate: true },
  'Custom::AWSCDK-EKS-KubernetesResource': { label: () => 'Kubernetes manifest', aggregate: true },
  'Custom::AWSCDK-EKS-HelmChart': { label: (p) => `Helm ${str(p.Chart)}` },
  'AWS::RDS::DBInstance': {
    label: (p) => `RDS ${str(p.Engine)} ${str(p.DBInstanceClass)}${p.MultiAZ === true ? ' Multi-AZ' : ''}`,
  },
  /** Not a CloudFormation type: read replicas (DB instances with a source) share one node per stack. */
  'AWS::RDS::DBInstance#replica': { label: (p) => `RDS read replica ${str(p.DBInstanceClass)}`, aggregate: true },
  'AWS::RDS::DBCluster': { label: (p) => `RDS cluster ${str(p.Engine)}` },
  'AWS::ElastiCache::ReplicationGroup': { label: (p) => `ElastiCache ${str(p.CacheNodeType)}` },
  'AWS::OpenSearchService::Domain': {
    label: (p) => `OpenSearch ${num(obj(p.ClusterConfig).InstanceCount)} x ${str(obj(p.ClusterConfig).InstanceType)}`,
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { label: (p) => (p.Type === 'network' ? 'NLB' : 'ALB') },
  'AWS::WAFv2::WebACL': { label: () => 'WAF web ACL' },
  'AWS::CloudFront::Distribution': { label: () => 'CloudFront' },
  'AWS::S3::Bucket': { label: () => 'S3 bucket' },
  'AWS::SNS::Topic': { label: () => 'SNS topic' },
  'AWS::CloudWatch::Alarm': { label: () => 'CloudWatch alarm', aggregate: true },
  'AWS::CloudWatch::Dashboard': { label: () => 'dashboard' },
};

/**
 * Plumbing that references lead through but should not: a custom resource's provider function
 * (and its role) sits in the VPC, which would tie every manifest and chart to the VPC.
 */
const STOP_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::CloudFormation::Stack',
]);

/** The shape key of a resource: its type, or a finer key where one type draws as two kinds of box. */
function shapeKey(resource: TemplateResource): string {
  if (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.SourceDBInstanceIdentifier !== undefined) {
    return 'AWS::RDS::DBInstance#replica';
  }
  return resource.Type;
}

interface Node {
  readonly id: string;
  readonly stack: string;
  readonly text: string;
}

/**
 * A Mermaid flowchart of the synthesized app: one box per stack, the main resources inside it
 * (sizes from the template), and an arrow wherever a resource refers to another one, directly
 * or through plumbing (subnets, security groups, subnet groups), within a stack or across stacks
 * (`Fn::ImportValue`, `Fn::GetStackOutput`; dashed). Output is sorted: the same app always
 * gives the same text, so the README copy can be checked.
 */
export function renderMermaid(stacks: readonly AssemblyStack[]): string {
  const byStackName = new Map(stacks.map((s) => [s.stackName, s]));
  const exports = new Map<string, { stack: AssemblyStack; value: unknown }>();
  for (const s of stacks) {
    for (const output of Object.values(s.template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, { stack: s, value: output.Value });
    }
  }

  const nodeOf = new Map<string, Node>(); // key `${stack.id}\u0000${logicalId}`
  const counts = new Map<string, number>();
  const key = (s: AssemblyStack, logicalId: string) => `${s.id}\u0000${logicalId}`;
  for (const s of stacks) {
    for (const [logicalId, resource] of Object.entries(s.template.Resources ?? {})) {
      const shape = SHAPES[shapeKey(resource)];
      if (!shape) continue;
      const props = resource.Properties ?? {};
      if (shape.aggregate) {
        const id = slug(`${s.id}_${shapeKey(resource)}`);
        counts.set(id, (counts.get(id) ?? 0) + 1);
        nodeOf.set(key(s, logicalId), { id, stack: s.id, text: shape.label(props) });
      } else {
        const where = shortPath(s, logicalId, resource);
        nodeOf.set(key(s, logicalId), {
          id: slug(`${s.id}_${logicalId}`),
          stack: s.id,
          text: `${shape.label(props)}<br/>${where}`,
        });
      }
    }
  }

  /** The main resources `value` leads to, following references through plumbing resources and across stacks. */
  const targets = (from: AssemblyStack, value: unknown): Node[] => {
    const found = new Map<string, Node>();
    const seen = new Set<string>();
    const queue: { stack: AssemblyStack; value: unknown }[] = [{ stack: from, value }];
    while (queue.length > 0) {
      const { stack, value: v } = queue.shift()!;
      for (const ref of referencedLogicalIds(v)) visit(stack, ref);
      for (const x of crossStack(v)) {
        if (x.kind === 'import') {
          const e = exports.get(x.name);
          if (e) queue.push({ stack: e.stack, value: e.value });
        } else {
          const producer = byStackName.get(x.stack);
          const output = producer?.template.Outputs?.[x.name];
          if (producer && output) queue.push({ stack: producer, value: output.Value });
        }
      }
    }
    function visit(stack: AssemblyStack, logicalId: string) {
      const k = key(stack, logicalId);
      if (seen.has(k)) return;
      seen.add(k);
      const node = nodeOf.get(k);
      if (node) {
        found.set(node.id, node);
        return;
      }
      const resource = stack.template.Resources?.[logicalId];
      if (resource && !STOP_TYPES.has(resource.Type)) queue.push({ stack, value: resource.Properties ?? {} });
    }
    return [...found.values()];
  };

  const edges = new Set<string>();
  for (const s of stacks) {
    for (const [logicalId, resource] of Object.entries(s.template.Resources ?? {})) {
      const from = nodeOf.get(key(s, logicalId));
      if (!from) continue;
      for (const to of targets(s, resource.Properties ?? {})) {
        if (to.id === from.id) continue;
        edges.add(`  ${from.id} ${to.stack === from.stack ? '-->' : '-.->'} ${to.id}`);
      }
    }
  }

  const lines = ['flowchart LR'];
  for (const s of stacks) {
    const nodes = new Map<string, string>();
    for (const node of nodeOf.values()) {
      if (node.stack !== s.id) continue;
      const count = counts.get(node.id);
      nodes.set(node.id, count === undefined ? node.text : `${node.text} x ${count}`);
    }
    const title = s.stackName === s.id ? s.id : `${s.id} (${s.stackName})`;
    lines.push(`  subgraph ${slug(`stack_${s.id}`)}["${escape(title)}"]`);
    for (const [id, text] of [...nodes].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`    ${id}["${escape(text)}"]`);
    lines.push('  end');
  }
  lines.push(...[...edges].sort());
  return `${lines.join('\n')}\n`;
}

function crossStack(
  value: unknown,
  out: ({ kind: 'import'; name: string } | { kind: 'output'; stack: string; name: string })[] = [],
) {
  if (Array.isArray(value)) {
    for (const v of value) crossStack(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::ImportValue' && typeof v === 'string') out.push({ kind: 'import', name: v });
      else if (
        k === 'Fn::GetStackOutput' &&
        typeof obj(v).StackName === 'string' &&
        typeof obj(v).OutputName === 'string'
      ) {
        out.push({ kind: 'output', stack: obj(v).StackName as string, name: obj(v).OutputName as string });
      } else crossStack(v, out);
    }
  }
  return out;
}

/** The construct path inside the stack, without the `Resource` suffix CDK adds to L1 children. */
function shortPath(stack: AssemblyStack, logicalId: string, resource: TemplateResource): string {
  const p = resourcePath(logicalId, resource).split('/');
  if (p[0] === stack.id.split('/').pop()) p.shift();
  if (p.length > 1 && (p[p.length - 1] === 'Resource' || p[p.length - 1] === 'Default')) p.pop();
  return p.join('/');
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}

function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}
