import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { NODE_AGENTS_NAMESPACE, OBSERVABILITY_NAMESPACE, POD_IDENTITY_AGENT, TRACE_COLLECTOR } from '../contract';

/** The Pod Security level of each namespace this construct creates. */
export const OBSERVABILITY_POD_SECURITY = {
  [OBSERVABILITY_NAMESPACE]: 'restricted',
  [NODE_AGENTS_NAMESPACE]: 'privileged',
} as const;

/** Pod labels of what kube-prometheus-stack and the log shipper run (the policies select them). */
export const OBSERVABILITY_PODS = {
  prometheus: { 'app.kubernetes.io/name': 'prometheus' },
  alertmanager: { 'app.kubernetes.io/name': 'alertmanager' },
  grafana: { 'app.kubernetes.io/name': 'grafana' },
  operator: { app: 'kube-prometheus-stack-operator' },
  fluentBit: { 'app.kubernetes.io/name': 'fluent-bit' },
  prometheusAdapter: { 'app.kubernetes.io/name': 'prometheus-adapter' },
} as const;

/** Ports the policies open, from the charts' defaults. */
const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  /** The operator's admission webhook (TLS), which the API server calls. */
  operatorWebhook: 10250,
  fluentBitMetrics: 2020,
  /** The Prometheus Adapter's custom metrics API (TLS), which the API server aggregates. */
  prometheusAdapter: 6443,
} as const;

/** Props for {@link ObservabilityNetworkPolicies}. */
export interface ObservabilityNetworkPoliciesProps {
  /** The cluster to apply the policies in. */
  readonly cluster: eks.ICluster;
  /** The VPC range: the API server's private addresses, nodes, pods and the interface endpoints. */
  readonly vpcCidr: string;
  /**
   * Where the AWS APIs these namespaces call (SNS for Alertmanager) are: the VPC range with their
   * interface endpoints, any address (through NAT) without. See `awsApiEgressCidr`.
   */
  readonly awsApiCidr: string;
  /** The namespace of the chat apps, which export spans to the trace collector. */
  readonly appsNamespace: string;
}

type Policy = Record<string, unknown>;

/**
 * The observability tier's two namespaces: `observability` (Prometheus, Alertmanager, Grafana,
 * the operator, kube-state-metrics, Jaeger) under Pod Security "restricted", and
 * `observability-agents` (Fluent Bit, node-exporter) at "privileged", the level host access
 * needs; each enforced, audited and warned, pinned to the cluster's Kubernetes version.
 */
export function observabilityNamespaceObjects(kubernetesVersion: string): Record<string, unknown>[] {
  return Object.entries(OBSERVABILITY_POD_SECURITY).map(([name, level]) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: podSecurityLabels(level, `v${kubernetesVersion}`) },
  }));
}

/**
 * Default-deny NetworkPolicies in both observability namespaces, plus one allow per flow:
 * DNS, the Kubernetes and AWS APIs inside the VPC, Prometheus scraping, Grafana to Prometheus,
 * Prometheus to Alertmanager, the API server to the operator's webhook, the chat apps to the
 * trace collector.
 */
export class ObservabilityNetworkPolicies extends Construct {
  /** The policies of both namespaces. */
  public readonly manifest: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: ObservabilityNetworkPoliciesProps) {
    super(scope, id);
    this.manifest = new eks.KubernetesManifest(this, 'Manifest', {
      cluster: props.cluster,
      manifest: [...observabilityPolicies(props), ...agentPolicies(props)],
    });
  }
}

/** Enforced, audited and warned at the same level, pinned to the cluster's version. */
export function podSecurityLabels(level: string, version: string): Record<string, string> {
  return Object.fromEntries(
    ['enforce', 'audit', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, level],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]),
  );
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

function policy(namespace: string, name: string, spec: Policy): Policy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/**
 * One flow between two tools of a namespace: the client's egress and the server's ingress on
 * `port`, named `<client>-to-<server>` and `<server>-from-<client>`.
 */
function podFlow(
  namespace: string,
  client: keyof typeof OBSERVABILITY_PODS,
  server: keyof typeof OBSERVABILITY_PODS,
  port: number,
): Policy[] {
  const [from, to] = [OBSERVABILITY_PODS[client], OBSERVABILITY_PODS[server]];
  const [fromName, toName] = [client, server].map((name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  return [
    policy(namespace, `${fromName}-to-${toName}`, {
      podSelector: { matchLabels: from },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: to } }], ports: tcp(port) }],
    }),
    policy(namespace, `${toName}-from-${fromName}`, {
      podSelector: { matchLabels: to },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: from } }], ports: tcp(port) }],
    }),
  ];
}

/**
 * Ingress to `pods` on `port` from the API server, named `<name>-from-api-server`. The control
 * plane reaches them from its addresses in the VPC, which no pod selector can name.
 */
function fromApiServer(
  namespace: string,
  name: string,
  pods: Record<string, string>,
  port: number,
  vpcCidr: string,
): Policy {
  return policy(namespace, `${name}-from-api-server`, {
    podSelector: { matchLabels: pods },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock: { cidr: vpcCidr } }], ports: tcp(port) }],
  });
}

/** What every namespace starts from: nothing in or out but DNS, the Kubernetes API and AWS APIs. */
function baseline(namespace: string, vpcCidr: string, awsApiCidr: string): Policy[] {
  return [
    policy(namespace, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(namespace, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    // The Kubernetes API (the control plane's private addresses are in the VPC), OpenSearch (in
    // the VPC), the AWS APIs (SNS: in the VPC with its endpoint, else through NAT) and the Pod
    // Identity agent.
    policy(namespace, 'allow-kubernetes-and-aws-apis', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: tcp(POD_IDENTITY_AGENT.port) },
        { to: [{ ipBlock: { cidr: vpcCidr } }], ports: tcp(443) },
        ...(awsApiCidr === vpcCidr ? [] : [{ to: [{ ipBlock: { cidr: awsApiCidr } }], ports: tcp(443) }]),
      ],
    }),
  ];
}

function observabilityPolicies(props: ObservabilityNetworkPoliciesProps): Policy[] {
  const ns = OBSERVABILITY_NAMESPACE;
  const prometheus = { podSelector: { matchLabels: OBSERVABILITY_PODS.prometheus } };
  return [
    ...baseline(ns, props.vpcCidr, props.awsApiCidr),
    // Scraping: pods and nodes (kubelet, node-exporter on the host network) all have VPC addresses.
    policy(ns, 'prometheus-scrapes', {
      podSelector: { matchLabels: OBSERVABILITY_PODS.prometheus },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: props.vpcCidr } }] }],
    }),
    // Prometheus scrapes every tool of this namespace (and itself) on their metrics ports.
    policy(ns, 'from-prometheus', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [prometheus] }],
    }),
    ...podFlow(ns, 'grafana', 'prometheus', PORTS.prometheus),
    // The Prometheus Adapter answers the HPA's custom metrics from Prometheus.
    ...podFlow(ns, 'prometheusAdapter', 'prometheus', PORTS.prometheus),
    // The API server aggregates the adapter's custom metrics API.
    fromApiServer(
      ns,
      'prometheus-adapter',
      OBSERVABILITY_PODS.prometheusAdapter,
      PORTS.prometheusAdapter,
      props.vpcCidr,
    ),
    policy(ns, 'prometheus-to-alertmanager', {
      podSelector: { matchLabels: OBSERVABILITY_PODS.prometheus },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: OBSERVABILITY_PODS.alertmanager } }], ports: tcp(PORTS.alertmanager) },
      ],
    }),
    // The API server calls the operator's admission webhook.
    fromApiServer(ns, 'operator-webhook', OBSERVABILITY_PODS.operator, PORTS.operatorWebhook, props.vpcCidr),
    // The chat apps export spans to the collector; nothing else reaches it (the UI: port-forward).
    policy(ns, 'trace-collector-from-apps', {
      podSelector: { matchLabels: TRACE_COLLECTOR.podLabels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: inNamespace(props.appsNamespace),
              podSelector: {
                matchExpressions: [
                  { key: 'app.kubernetes.io/name', operator: 'In', values: ['gateway', 'api', 'worker'] },
                ],
              },
            },
          ],
          ports: tcp(TRACE_COLLECTOR.otlpHttpPort),
        },
      ],
    }),
  ];
}

function agentPolicies(props: ObservabilityNetworkPoliciesProps): Policy[] {
  const ns = NODE_AGENTS_NAMESPACE;
  return [
    // node-exporter runs on the host network, which NetworkPolicies do not govern; Fluent Bit
    // does not, and needs only the baseline: the API server (pod metadata) and OpenSearch (HTTPS
    // in the VPC).
    ...baseline(ns, props.vpcCidr, props.awsApiCidr),
    policy(ns, 'fluent-bit-from-prometheus', {
      podSelector: { matchLabels: OBSERVABILITY_PODS.fluentBit },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: inNamespace(OBSERVABILITY_NAMESPACE),
              podSelector: { matchLabels: OBSERVABILITY_PODS.prometheus },
            },
          ],
          ports: tcp(PORTS.fluentBitMetrics),
        },
      ],
    }),
  ];
}
