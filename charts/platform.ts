import { Chart, JsonPatch, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { awsApiEgressCidr, type InterfaceEndpointName, type Profile, type WorkloadProfile } from '../lib/config';
import * as k8s from './imports/k8s';
import {
  APP_PORTS,
  BACKEND_USES,
  GATEWAY_CLIENT_IP_PRESERVATION,
  MONITORING_STACK,
  POD_IDENTITY_AGENT,
  TRACE_COLLECTOR,
} from '../lib/contract';
import { API_MIGRATE_NAME } from './api-migrations';
import { backendPorts, type ChatBackends } from './backends';
import { KONG_KEY_REFRESH_SIZE } from './kong';
import { cpuMillis, memoryMebibytes } from './quantity';

/** The AWS services the chat apps call themselves (the data stores are in the VPC). */
const APP_AWS_SERVICES: readonly InterfaceEndpointName[] = ['SecretsManager'];

/** Props for {@link PlatformChart}. */
export interface PlatformChartProps extends ChartProps {
  /** The environment profile (VPC range, Kubernetes version, workload sizes for the quota). */
  readonly profile: Profile;
  /** The namespace the chat workloads run in. */
  readonly namespace: string;
  /** The data stores: their ports are what the egress policies open, per app. */
  readonly backends: ChatBackends;
}

/**
 * The namespace the chat workloads live in and its guard rails: Pod Security "restricted"
 * (enforced, audited, warned), default-deny network policies with one explicit allow per flow,
 * a ResourceQuota sized from the profile's HPA maxima and a LimitRange.
 */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { ...props, namespace: props.namespace });
    const { profile } = props;
    const psaVersion = `v${profile.cluster.kubernetesVersion}`;

    const namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.namespace,
        labels: Object.fromEntries(
          ['enforce', 'audit', 'warn'].flatMap((mode) => [
            [`pod-security.kubernetes.io/${mode}`, 'restricted'],
            [`pod-security.kubernetes.io/${mode}-version`, psaVersion],
          ]),
        ),
      },
    });
    // A Namespace is cluster-scoped: the chart-wide namespace must not be stamped on it.
    namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    this.networkPolicies(profile, props.backends);
    this.quota(profile);
  }

  private networkPolicies(profile: Profile, backends: ChatBackends): void {
    const { vpcCidr } = profile.network;
    const awsApiCidr = awsApiEgressCidr(profile, APP_AWS_SERVICES);
    const { allowedIngressCidrs } = profile.edge;
    const app = (name: string) => ({ matchLabels: { 'app.kubernetes.io/name': name } });
    const tcp = (...ports: number[]) =>
      ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    const vpc = [{ ipBlock: { cidr: vpcCidr } }];
    const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, id, { metadata: { name }, spec });

    policy('DefaultDeny', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    policy('AllowDns', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        },
      ],
    });

    // Credentials come from Secrets Manager with Pod Identity: the node-local agent, then Secrets
    // Manager over HTTPS. With its interface endpoint (private DNS resolves it into the VPC) that
    // is the VPC range and nothing here reaches the internet; a profile without the endpoint
    // reaches it through the NAT gateways, so the policy has to allow any address on 443.
    policy('AllowAwsApis', 'allow-aws-apis', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: tcp(POD_IDENTITY_AGENT.port) },
        { to: [{ ipBlock: { cidr: awsApiCidr } }], ports: tcp(443) },
      ],
    });

    // The three apps export their spans over OTLP/HTTP to the trace collector.
    policy('AppsToTraceCollector', 'apps-to-trace-collector', {
      podSelector: {
        matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['gateway', 'api', 'worker'] }],
      },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': TRACE_COLLECTOR.namespace } },
              podSelector: { matchLabels: { ...TRACE_COLLECTOR.podLabels } },
            },
          ],
          ports: tcp(TRACE_COLLECTOR.otlpHttpPort),
        },
      ],
    });

    // The managed data stores sit in the VPC's isolated subnets.
    const dataEgress = (id: string, name: string, who: string, ports: number[]) =>
      policy(id, name, { podSelector: app(who), policyTypes: ['Egress'], egress: [{ to: vpc, ports: tcp(...ports) }] });
    // Each app reaches exactly the stores it uses, on their own ports.
    dataEgress('GatewayToData', 'gateway-to-data', 'gateway', backendPorts(backends, BACKEND_USES.gateway));
    dataEgress('ApiToData', 'api-to-data', 'api', backendPorts(backends, BACKEND_USES.api));
    dataEgress('WorkerToData', 'worker-to-data', 'worker', backendPorts(backends, BACKEND_USES.worker));
    dataEgress(
      'ApiMigrateToDatabase',
      'api-migrate-to-database',
      API_MIGRATE_NAME,
      backendPorts(backends, ['database']),
    );
    // Kong keeps its rate-limit counters in the pub/sub cluster (see kong.ts).
    dataEgress('KongToRedis', 'kong-to-redis', 'kong', backendPorts(backends, BACKEND_USES.kong));

    policy('KongToApi', 'kong-to-api', {
      podSelector: app('kong'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: app('api') }], ports: tcp(APP_PORTS.api.http) }],
    });
    policy('ApiFromKong', 'api-from-kong', {
      podSelector: app('api'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: app('kong') }], ports: tcp(APP_PORTS.api.http) }],
    });

    // Load balancers (NLB, ALB) reach the pods from inside the VPC: traffic and health checks. The
    // NLB preserves client addresses, so WebSocket connections arrive from the clients it admits.
    const clients = GATEWAY_CLIENT_IP_PRESERVATION
      ? [{ from: allowedIngressCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(APP_PORTS.gateway.websocket) }]
      : [];
    policy('GatewayFromLoadBalancer', 'gateway-from-load-balancer', {
      podSelector: app('gateway'),
      policyTypes: ['Ingress'],
      ingress: [{ from: vpc, ports: tcp(APP_PORTS.gateway.websocket, APP_PORTS.gateway.metrics) }, ...clients],
    });
    policy('KongFromLoadBalancer', 'kong-from-load-balancer', {
      podSelector: app('kong'),
      policyTypes: ['Ingress'],
      ingress: [{ from: vpc, ports: tcp(APP_PORTS.kong.proxy, APP_PORTS.kong.status) }],
    });

    const prometheus = [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_STACK.namespace } },
        podSelector: { matchLabels: { ...MONITORING_STACK.prometheusPodLabels } },
      },
    ];
    const scrape = (id: string, name: string, who: string, port: number) =>
      policy(id, name, {
        podSelector: app(who),
        policyTypes: ['Ingress'],
        ingress: [{ from: prometheus, ports: tcp(port) }],
      });
    scrape('GatewayFromPrometheus', 'gateway-from-prometheus', 'gateway', APP_PORTS.gateway.metrics);
    scrape('ApiFromPrometheus', 'api-from-prometheus', 'api', APP_PORTS.api.http);
    scrape('WorkerFromPrometheus', 'worker-from-prometheus', 'worker', APP_PORTS.worker.metrics);
    scrape('KongFromPrometheus', 'kong-from-prometheus', 'kong', APP_PORTS.kong.status);
  }

  private quota(profile: Profile): void {
    const sizes: WorkloadProfile[] = Object.values(profile.workloads);
    // Room for every workload at its HPA maximum plus a rolling update's 25% surge.
    const pods = (w: WorkloadProfile) => Math.ceil(w.maxReplicas * 1.25);
    // Kong's pods also run the key refresh sidecar.
    const sidecar = KONG_KEY_REFRESH_SIZE;
    const totalCpu =
      sizes.reduce((sum, w) => sum + pods(w) * cpuMillis(w.cpu), 0) + pods(profile.workloads.kong) * sidecar.cpuMillis;
    const totalMemory =
      sizes.reduce((sum, w) => sum + pods(w) * memoryMebibytes(w.memory), 0) +
      pods(profile.workloads.kong) * sidecar.memoryMebibytes;
    const totalPods = sizes.reduce((sum, w) => sum + pods(w), 0);
    const cpu = (millis: number) => k8s.Quantity.fromString(`${millis}m`);
    const memory = (mebibytes: number) => k8s.Quantity.fromString(`${mebibytes}Mi`);

    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'chat-workloads' },
      spec: {
        hard: {
          'requests.cpu': cpu(totalCpu),
          'limits.cpu': cpu(totalCpu),
          'requests.memory': memory(totalMemory),
          'limits.memory': memory(totalMemory),
          pods: k8s.Quantity.fromNumber(totalPods),
        },
      },
    });

    // Containers without their own resources get the smallest workload's size; none may exceed the largest.
    const smallest = Math.min(...sizes.map((w) => cpuMillis(w.cpu)));
    const largest = Math.max(...sizes.map((w) => cpuMillis(w.cpu)));
    const smallestMemory = Math.min(...sizes.map((w) => memoryMebibytes(w.memory)));
    const largestMemory = Math.max(...sizes.map((w) => memoryMebibytes(w.memory)));
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'chat-workloads' },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: cpu(smallest), memory: memory(smallestMemory) },
            defaultRequest: { cpu: cpu(smallest), memory: memory(smallestMemory) },
            max: { cpu: cpu(largest), memory: memory(largestMemory) },
          },
        ],
      },
    });
  }
}
