import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { createCoTalkStacks } from '../../lib/co-talk-app';
import { MonitoringChart } from '../../charts/monitoring';
import {
  loadProfile,
  PROFILE_NAMES,
  ProfileError,
  requireAlertDestination,
  validateProfile,
  PROFILES,
} from '../../lib/config';
import { VPC_CNI_CONFIGURATION } from '../../lib/cluster/cluster-addons';
import { ALERTMANAGER_RECEIVERS } from '../../lib/observability/prometheus-stack';
import { synthApp } from '../support/synth-app';
import { synthCharts, type K8sObject } from '../charts/synth-charts';
import { renderReferences } from '../workloads/manifest-json';

/** Every Kubernetes object an observability or cluster stack applies as a manifest. */
function stackManifests(template: ReturnType<ReturnType<typeof synthApp>['template']>): K8sObject[] {
  return Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r) =>
    JSON.parse(renderReferences(r.Properties.Manifest)),
  );
}

describe.each(PROFILE_NAMES)('isolation (%s)', (name) => {
  const app = synthApp(name);
  const observability = stackManifests(app.template('observability'));
  const { objects: chartObjects } = synthCharts(name);
  const everything = [...observability, ...chartObjects];

  test('the VPC CNI add-on enforces NetworkPolicies', () => {
    app.template('cluster').hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
    });
    expect(VPC_CNI_CONFIGURATION).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('every namespace the project creates has Pod Security labels and a default-deny policy', () => {
    const namespaces = everything.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name).sort()).toEqual(['co-talk', 'observability', 'observability-agents']);
    for (const ns of namespaces) {
      const labels = ns.metadata.labels;
      for (const mode of ['enforce', 'audit', 'warn']) {
        expect(labels[`pod-security.kubernetes.io/${mode}`]).toMatch(/^(restricted|privileged)$/);
        expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.36');
      }
      const deny = everything.find(
        (o) =>
          o.kind === 'NetworkPolicy' &&
          o.metadata.name === 'default-deny' &&
          (o.metadata.namespace ?? 'co-talk') === ns.metadata.name,
      );
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    // Host access only where it is needed: the two node agents' namespace.
    const level = (n: string) =>
      namespaces.find((ns) => ns.metadata.name === n)?.metadata.labels['pod-security.kubernetes.io/enforce'];
    expect([level('co-talk'), level('observability'), level('observability-agents')]).toEqual([
      'restricted',
      'restricted',
      'privileged',
    ]);
  });

  test('every Helm release of the observability stack installs into a namespace with those guards', () => {
    const releases = Object.values(app.template('observability').findResources('Custom::AWSCDK-EKS-HelmChart'));
    expect(releases.map((r) => r.Properties.Namespace).sort()).toEqual([
      'observability',
      'observability',
      'observability-agents',
    ]);
    const values = JSON.parse(
      renderReferences(releases.find((r) => r.Properties.Chart === 'kube-prometheus-stack')!.Properties.Values),
    );
    expect(values['prometheus-node-exporter'].namespaceOverride).toBe('observability-agents');
  });

  test('egress leaves the VPC only on 443, and only to AWS APIs the profile creates no endpoint for', () => {
    const policies = everything.filter((o) => o.kind === 'NetworkPolicy');
    const peersOf = (direction: 'egress' | 'ingress') =>
      policies.flatMap((p) =>
        (p.spec[direction] ?? []).flatMap((rule: K8sObject) =>
          [...(rule.to ?? []), ...(rule.from ?? [])]
            .filter((peer: K8sObject) => peer.ipBlock?.cidr)
            .map((peer: K8sObject) => ({ policy: p.metadata.name, cidr: peer.ipBlock.cidr, ports: rule.ports })),
        ),
      );
    const peers = peersOf('egress');
    const endpoints = app.profile.network.interfaceEndpoints;
    const outside = peers.filter((p) => p.cidr === '0.0.0.0/0');
    // From outside the VPC only the NLB's clients (client IP preservation), on the WebSocket port.
    const fromOutside = peersOf('ingress').filter((p) => !p.cidr.startsWith('10.'));
    expect(fromOutside.map((p) => [p.policy, p.cidr, p.ports])).toEqual(
      app.profile.edge.allowedIngressCidrs.map((cidr) => [
        'gateway-from-load-balancer',
        cidr,
        [{ protocol: 'TCP', port: 8080 }],
      ]),
    );
    // Secrets Manager for the apps, SNS for Alertmanager: through NAT when not through an endpoint.
    const expected = [
      ...(endpoints.SecretsManager ? [] : ['allow-aws-apis']),
      ...(endpoints.Sns ? [] : ['allow-kubernetes-and-aws-apis', 'allow-kubernetes-and-aws-apis']),
    ];
    expect(outside.map((p) => p.policy).sort()).toEqual(expected.sort());
    for (const p of outside) expect(p.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(new Set(peers.map((p) => p.cidr).filter((c) => c !== '0.0.0.0/0'))).toEqual(
      new Set([app.profile.network.vpcCidr, '169.254.170.23/32']),
    );
  });

  test('the flows the tools need are allowed explicitly', () => {
    const policy = (ns: string, n: string) =>
      everything.find(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.name === n && (o.metadata.namespace ?? 'co-talk') === ns,
      )?.spec;
    expect(policy('observability', 'grafana-to-prometheus').egress[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
    expect(policy('observability', 'prometheus-adapter-to-prometheus').egress[0].ports).toEqual([
      { protocol: 'TCP', port: 9090 },
    ]);
    expect(policy('observability', 'prometheus-adapter-from-api-server').ingress[0]).toEqual({
      from: [{ ipBlock: { cidr: app.profile.network.vpcCidr } }],
      ports: [{ protocol: 'TCP', port: 6443 }],
    });
    expect(policy('observability', 'prometheus-to-alertmanager').egress[0].ports).toEqual([
      { protocol: 'TCP', port: 9093 },
    ]);
    expect(policy('observability', 'trace-collector-from-apps').ingress[0]).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'co-talk' } },
          podSelector: {
            matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['gateway', 'api', 'worker'] }],
          },
        },
      ],
      ports: [{ protocol: 'TCP', port: 4318 }],
    });
    expect(policy('co-talk', 'apps-to-trace-collector').egress[0].ports).toEqual([{ protocol: 'TCP', port: 4318 }]);
    for (const ns of ['co-talk', 'observability', 'observability-agents']) {
      expect(policy(ns, 'allow-dns').egress[0].ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
    }
  });

  test('the workload group leaves the VPC on HTTPS only, and every endpoint admits this account only', () => {
    const network = app.template('network');
    network.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Co-Talk workloads: the only source allowed into the data stores',
      SecurityGroupEgress: [
        { CidrIp: app.profile.network.vpcCidr, IpProtocol: '-1', Description: 'Anything inside the VPC' },
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: 'HTTPS to image registries (NAT)',
        },
      ],
    });
    const endpoints = Object.values(network.findResources('AWS::EC2::VPCEndpoint'));
    // The profile's interface endpoints and the S3 gateway endpoint, each with the policy.
    expect(endpoints).toHaveLength(Object.keys(app.profile.network.interfaceEndpoints).length + 1);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PolicyDocument.Statement).toContainEqual({
        Sid: 'ThisAccountOnly',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': app.profile.env.account } },
      });
    }
  });
});

describe.each(PROFILE_NAMES)('alerting (%s)', (name) => {
  const app = synthApp(name);
  const t = app.template('observability');
  const topicRef = Object.keys(t.findResources('AWS::SNS::Topic'))[0];
  const values = JSON.parse(
    renderReferences(
      Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).find(
        (r) => r.Properties.Chart === 'kube-prometheus-stack',
      )!.Properties.Values,
    ),
  );
  const config = values.alertmanager.config;

  /** Where Alertmanager sends an alert with `labels`: the first matching child route, else the root. */
  function receiverFor(labels: Record<string, string>): string {
    for (const route of config.route.routes ?? []) {
      const matches = route.matchers.every((m: string) => {
        const [, label, op, value] = /^(\w+)\s*(=~|=|!=)\s*"(.*)"$/.exec(m)!;
        const actual = labels[label] ?? '';
        if (op === '=') return actual === value;
        if (op === '!=') return actual !== value;
        return new RegExp(`^(?:${value})$`).test(actual);
      });
      if (matches) return route.receiver;
    }
    return config.route.receiver;
  }

  test('every PrometheusRule alert of the project is routed to the alarm topic', () => {
    const rules = (Testing.synth(new MonitoringChart(Testing.app(), 'M', { namespace: 'co-talk' })) as K8sObject[])
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => o.spec.groups.flatMap((g: K8sObject) => g.rules));
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['WorkerStreamLag', 'WorkerStreamPending', 'WorkerDeadLetters', 'GatewayMetricsAbsent']),
    );
    for (const rule of rules) {
      const receiver = config.receivers.find(
        (r: K8sObject) => r.name === receiverFor({ alertname: rule.alert, namespace: 'co-talk', ...rule.labels }),
      );
      expect({ alert: rule.alert, topic: receiver?.sns_configs?.[0]?.topic_arn }).toEqual({
        alert: rule.alert,
        topic: `«Ref:${topicRef}»`,
      });
    }
    // The heartbeat that fires all the time goes nowhere.
    expect(receiverFor({ alertname: 'Watchdog' })).toBe(ALERTMANAGER_RECEIVERS.none);
  });

  test('Alertmanager signs with a Pod Identity role that may publish to that topic only', () => {
    expect(values.alertmanager.enabled).toBe(true);
    expect(config.receivers[0].sns_configs[0].sigv4).toEqual({ region: app.profile.env.region });
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'observability',
      ServiceAccount: 'alertmanager',
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('sns:Publish'),
    );
    expect(policies).toHaveLength(1);
    const publish = policies[0].Properties.PolicyDocument.Statement.find((s: K8sObject) => s.Action === 'sns:Publish');
    expect(publish.Resource).toEqual({ Ref: topicRef });
  });

  test('every CloudWatch alarm notifies the topic; availability alarms treat silence as breaching', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicRef }]);
    const healthy = alarms.filter((a) => a.Properties.MetricName === 'HealthyHostCount');
    expect(healthy.map((a) => [a.Properties.Namespace, a.Properties.Threshold]).sort()).toEqual(
      [
        ['AWS/ApplicationELB', app.profile.workloads.kong.minReplicas],
        ['AWS/NetworkELB', app.profile.workloads.gateway.minReplicas],
      ].sort(),
    );
    for (const alarm of healthy) {
      expect(alarm.Properties.ComparisonOperator).toBe('LessThanThreshold');
      expect(alarm.Properties.TreatMissingData).toBe('breaching');
    }
    const belowMinNodes = alarms.find(
      (a) =>
        a.Properties.MetricName === 'cluster_node_count' && a.Properties.ComparisonOperator === 'LessThanThreshold',
    );
    expect(belowMinNodes?.Properties.TreatMissingData).toBe('breaching');
  });
});

describe('alert destinations', () => {
  test('past dev, a profile without one does not synthesize, and the message names the field', () => {
    for (const name of ['staging', 'prod', 'scale'] as const) {
      expect(() => requireAlertDestination(loadProfile(name))).toThrow(
        new RegExp(`observability\\.alertEmails: ${name} must name an alert destination.*-c alertEmails=`),
      );
    }
    expect(() => requireAlertDestination(loadProfile('dev'))).not.toThrow();
  });

  test('the stacks refuse prod without one, unless synthesized for review (the tools), which deploys nothing', () => {
    const prod = loadProfile('prod');
    expect(() => createCoTalkStacks(new App(), prod)).toThrow(/observability\.alertEmails: prod must name/);
    const reviewed = createCoTalkStacks(new App(), prod, { review: true });
    Template.fromStack(reviewed.observability).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test.each([
    ['alertEmails', 'oncall@example.com'],
    ['alertEmails', 'oncall@alerts.example.org'],
    ['alertEmails', 'a@b.test'],
    ['alertEmails', 'a@localhost'],
    ['alertHttpsEndpoints', 'https://hooks.example.net/x'],
    ['alertHttpsEndpoints', 'https://incident.invalid/x'],
  ])('%s %s is on a reserved domain and refused', (field, value) => {
    const input = { ...PROFILES.prod, observability: { ...PROFILES.prod.observability, [field]: [value] } };
    expect(() => validateProfile(input, 'prod')).toThrow(
      new RegExp(`observability\\.${field}\\[0\\]: is on a reserved domain`),
    );
  });

  test('an HTTPS endpoint must be https', () => {
    expect(() => loadProfile('prod', { alertHttpsEndpoints: ['http://alerts.co-talk.io/x'] })).toThrow(ProfileError);
  });

  test('deploy-time values replace the profile list', () => {
    const profile = loadProfile('prod', { alertEmails: ['oncall@co-talk.io', 'lead@co-talk.io'] });
    expect(profile.observability.alertEmails).toEqual(['oncall@co-talk.io', 'lead@co-talk.io']);
    expect(() => requireAlertDestination(profile)).not.toThrow();
  });
});
