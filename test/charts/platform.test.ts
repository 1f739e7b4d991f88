import { Testing } from 'cdk8s';
import { PLACEHOLDERS } from '../../charts/placeholders';
import { PlatformChart } from '../../charts/platform';
import { loadProfile } from '../../lib/config';
import { ofKind, type K8sObject } from './synth-charts';

describe('PlatformChart', () => {
  // Given the prod profile (VPC 10.2.0.0/16)
  const profile = loadProfile('prod');
  const objects = Testing.synth(
    new PlatformChart(Testing.app(), 'Platform', { profile, namespace: 'co-talk', backends: PLACEHOLDERS.backends }),
  ) as K8sObject[];
  const policy = (name: string) => ofKind(objects, 'NetworkPolicy', name)[0]?.spec;

  test('creates the namespace under Pod Security "restricted", enforced, audited and warned', () => {
    expect(ofKind(objects, 'Namespace')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'co-talk',
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'v1.36',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/audit-version': 'v1.36',
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/warn-version': 'v1.36',
          },
        },
      },
    ]);
  });

  test('denies all ingress and egress by default', () => {
    expect(policy('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('lets every pod resolve names and reach the Pod Identity agent and Secrets Manager on 443', () => {
    expect(policy('allow-dns').egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    // prod creates no Secrets Manager endpoint (a budget choice): the calls leave through NAT.
    expect(profile.network.interfaceEndpoints.SecretsManager).toBeUndefined();
    expect(policy('allow-aws-apis').egress).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('with a Secrets Manager endpoint, AWS APIs stay inside the VPC', () => {
    const withEndpoint = {
      ...profile,
      network: { ...profile.network, interfaceEndpoints: { SecretsManager: 'credentials inside the VPC' } },
    };
    const chart = new PlatformChart(Testing.app(), 'Platform', {
      profile: withEndpoint,
      namespace: 'co-talk',
      backends: PLACEHOLDERS.backends,
    });
    const spec = ofKind(Testing.synth(chart) as K8sObject[], 'NetworkPolicy', 'allow-aws-apis')[0].spec;
    expect(spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '10.2.0.0/16' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  });

  test.each([
    // The data stack's ports: PostgreSQL 5433, Redis cache 6380, pub/sub 6381, streams 6382.
    ['gateway-to-data', 'gateway', [6381, 6382, 6380]],
    ['api-to-data', 'api', [5433, 6380, 443]],
    ['worker-to-data', 'worker', [5433, 6382, 443]],
    ['api-migrate-to-database', 'api-migrate', [5433]],
    ['kong-to-redis', 'kong', [6381]],
  ])('%s: %s reaches only its data-store ports inside the VPC', (name, app, ports) => {
    expect(policy(name)).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
    });
  });

  test('only Kong reaches the api, on its HTTP port', () => {
    expect(policy('api-from-kong').ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kong' } } }],
        ports: [{ protocol: 'TCP', port: 3000 }],
      },
    ]);
    expect(policy('kong-to-api').egress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
  });

  test('load balancers reach the gateway and Kong from the VPC; NLB clients keep their own addresses', () => {
    expect(policy('gateway-from-load-balancer').ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: '10.2.0.0/16' } }],
        ports: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'TCP', port: 9090 },
        ],
      },
      // Client IP preservation on the NLB target group: the clients the NLB admits, WebSocket port only.
      { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(profile.edge.allowedIngressCidrs).toEqual(['0.0.0.0/0']);
    expect(policy('kong-from-load-balancer').ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 8000 },
      { protocol: 'TCP', port: 8100 },
    ]);
  });

  test('Prometheus reaches each metrics port, from its namespace only', () => {
    const from = policy('worker-from-prometheus').ingress[0];
    expect(from).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 9090 }],
    });
    expect(['gateway', 'api', 'kong'].map((app) => policy(`${app}-from-prometheus`).ingress[0].ports[0].port)).toEqual([
      9090, 3000, 8100,
    ]);
  });

  test('sizes the quota for every workload at its HPA maximum plus a 25% surge', () => {
    // gateway 25 x 3.5 cores / 6Gi, api 50 x 0.5 / 768Mi, worker 15 x 0.5 / 1Gi, kong 15 x 0.5 / 1Gi
    // (maxima 20/40/12/12, rounded up), and Kong's key refresh sidecar 15 x 50m / 96Mi
    expect(ofKind(objects, 'ResourceQuota')[0].spec.hard).toEqual({
      'requests.cpu': `${127500 + 15 * 50}m`,
      'limits.cpu': `${127500 + 15 * 50}m`,
      'requests.memory': `${25 * 6144 + 50 * 768 + 15 * 1024 + 15 * 1024 + 15 * 96}Mi`,
      'limits.memory': `${25 * 6144 + 50 * 768 + 15 * 1024 + 15 * 1024 + 15 * 96}Mi`,
      pods: 105,
    });
  });

  test('caps containers at the largest workload and defaults them to the smallest', () => {
    expect(ofKind(objects, 'LimitRange')[0].spec.limits).toEqual([
      {
        type: 'Container',
        default: { cpu: '500m', memory: '768Mi' },
        defaultRequest: { cpu: '500m', memory: '768Mi' },
        max: { cpu: '3500m', memory: '6144Mi' },
      },
    ]);
  });
});
