import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PROFILE_NAMES, PROFILES, type ProfileInput, validateProfile } from '../../lib/config';
import {
  GATEWAY_HEALTH_PATH,
  GATEWAY_HEALTH_PORT,
  GATEWAY_PORT,
  KONG_HEALTH_PATH,
  KONG_PROXY_PORT,
  KONG_STATUS_PORT,
} from '../../lib/contract';
import { synthApp } from '../support/synth-app';

type Resource = ReturnType<Template['findResources']>[string];

/** Looks up one attribute in a load balancer's or target group's attribute list. */
function attribute(resource: Resource, listKey: string, key: string): unknown {
  const list = resource.Properties[listKey] as { Key: string; Value: unknown }[];
  return list.find((a) => a.Key === key)?.Value;
}

describe.each(PROFILE_NAMES)('EdgeStack (%s)', (name) => {
  const { profile, template } = synthApp(name);
  const t = template('edge');
  const loadBalancers = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
  const alb = loadBalancers.find((lb) => lb.Properties.Type === undefined || lb.Properties.Type === 'application')!;
  const nlb = loadBalancers.find((lb) => lb.Properties.Type === 'network')!;

  test('has one internet-facing ALB and one NLB, both logging to the access log bucket', () => {
    expect(loadBalancers).toHaveLength(2);
    for (const lb of [alb, nlb]) {
      expect(lb.Properties.Scheme).toBe('internet-facing');
      expect(attribute(lb, 'LoadBalancerAttributes', 'access_logs.s3.enabled')).toBe('true');
      expect(attribute(lb, 'LoadBalancerAttributes', 'access_logs.s3.bucket')).toEqual({
        Ref: expect.stringMatching(/^AccessLogs/),
      });
      expect(attribute(lb, 'LoadBalancerAttributes', 'deletion_protection.enabled')).toBe(String(profile.protectData));
    }
    expect(attribute(alb, 'LoadBalancerAttributes', 'routing.http.drop_invalid_header_fields.enabled')).toBe('true');
  });

  test('the NLB balances across zones', () => {
    expect(attribute(nlb, 'LoadBalancerAttributes', 'load_balancing.cross_zone.enabled')).toBe('true');
  });

  test('the access log bucket is private, TLS-only, encrypted and expires logs after the retention', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: profile.observability.logRetentionDays, Status: 'Enabled' })],
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('serves HTTPS on 443 with a TLS 1.2+/1.3 policy and forwards to Kong', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [{ CertificateArn: profile.edge.certificateArn }],
      DefaultActions: [
        { Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^RestLoadBalancerKongTargetGroup') } },
      ],
    });
  });

  test('answers HTTP on 80 only with a permanent redirect to HTTPS', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
  });

  test('the Kong target group takes pod IPs and checks Kong readiness', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: KONG_PROXY_PORT,
      HealthCheckPort: String(KONG_STATUS_PORT),
      HealthCheckPath: KONG_HEALTH_PATH,
      Matcher: { HttpCode: '200' },
    });
  });

  test('terminates TLS for WebSocket on 443 and forwards TCP to the gateway pods', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'TLS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      DefaultActions: [
        {
          Type: 'forward',
          TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebSocketLoadBalancerGatewayTargetGroup') },
        },
      ],
    });
  });

  test('the gateway target group drains for at least the profile drain time, keeping connections open', () => {
    const groups = t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup', { Properties: { Protocol: 'TCP' } });
    const [group] = Object.values(groups);
    expect(group.Properties).toMatchObject({
      TargetType: 'ip',
      Port: GATEWAY_PORT,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: String(GATEWAY_HEALTH_PORT),
      HealthCheckPath: GATEWAY_HEALTH_PATH,
    });
    const delay = Number(attribute(group, 'TargetGroupAttributes', 'deregistration_delay.timeout_seconds'));
    expect(delay).toBeGreaterThanOrEqual(profile.app.gatewayDrainSeconds);
    expect(attribute(group, 'TargetGroupAttributes', 'deregistration_delay.connection_termination.enabled')).toBe(
      'false',
    );
  });

  test('the gateway target group preserves client addresses: no per-target port limit (lib/capacity), the per-address limits see clients', () => {
    const groups = t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup', { Properties: { Protocol: 'TCP' } });
    const [group] = Object.values(groups);
    expect(attribute(group, 'TargetGroupAttributes', 'preserve_client_ip.enabled')).toBe('true');
  });

  test('the load balancers may reach the pods on the target ports only', () => {
    const rules = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => ({
      port: r.Properties.FromPort,
      to: r.Properties.ToPort,
      group: r.Properties.GroupId,
    }));
    expect(rules.map((r) => r.port).sort()).toEqual(
      [GATEWAY_HEALTH_PORT, GATEWAY_PORT, KONG_PROXY_PORT, KONG_STATUS_PORT].sort(),
    );
    for (const rule of rules) {
      expect(rule.to).toBe(rule.port);
      expect(rule.group).toEqual({
        'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringMatching(/WorkloadSecurityGroup/) }),
      });
    }
  });

  test('a WAF web ACL with AWS managed rule groups and a per-IP rate limit guards the ALB', () => {
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith(
        [
          'AWSManagedRulesAmazonIpReputationList',
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
        ]
          .map((group) =>
            Match.objectLike({
              Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
              OverrideAction: { None: {} },
            }),
          )
          .concat([
            Match.objectLike({
              Statement: {
                RateBasedStatement: { Limit: profile.edge.wafRateLimitPer5Minutes, AggregateKeyType: 'IP' },
              },
              Action: { Block: {} },
            }),
          ]),
      ),
    });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: Match.stringLikeRegexp('^RestLoadBalancer') },
    });
  });

  test('exposes typed target groups and DNS names for the charts', () => {
    const { edge } = synthApp(name).stacks;
    expect(edge.restTargetGroup.targetGroupArn).toBeDefined();
    expect(edge.websocketTargetGroup.targetGroupArn).toBeDefined();
    t.hasOutput('RestLoadBalancerDnsName', Match.anyValue());
    t.hasOutput('WebSocketLoadBalancerDnsName', Match.anyValue());
    t.hasOutput('RestTargetGroupArn', Match.anyValue());
    t.hasOutput('WebSocketTargetGroupArn', Match.anyValue());
  });
});

describe('EdgeStack with a hosted zone and no certificate ARN', () => {
  const input = structuredClone(PROFILES.staging) as ProfileInput;
  delete input.edge.certificateArn;
  input.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: 'chat.example.com' };
  const t = synthApp(validateProfile(input, 'staging-with-zone')).template('edge');

  test('issues one DNS-validated certificate for the REST and WebSocket names', () => {
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.chat.example.com',
      SubjectAlternativeNames: ['ws.chat.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([
        { DomainName: 'api.chat.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
      ]),
    });
  });

  test('points alias records at the load balancers', () => {
    for (const host of ['api', 'ws']) {
      t.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${host}.chat.example.com.`,
        Type: 'A',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
    }
  });
});

describe('EdgeStack with restricted client ranges', () => {
  const input = structuredClone(PROFILES.staging) as ProfileInput;
  input.edge.allowedIngressCidrs = ['198.51.100.0/24'];
  const t = synthApp(validateProfile(input, 'staging-restricted')).template('edge');

  test('opens the listener ports to those ranges only, the redirect included', () => {
    const groups = Object.values(t.findResources('AWS::EC2::SecurityGroup'));
    const ingress = groups.flatMap((g) => g.Properties.SecurityGroupIngress ?? []);
    expect(ingress.map((r: { CidrIp: string; FromPort: number }) => [r.CidrIp, r.FromPort]).sort()).toEqual([
      ['198.51.100.0/24', 443],
      ['198.51.100.0/24', 443],
      ['198.51.100.0/24', 80],
    ]);
  });
});

describe('EdgeStack with edge.cloudFront', () => {
  test('refuses the flag instead of ignoring it', () => {
    const input = structuredClone(PROFILES.dev) as ProfileInput;
    input.edge.cloudFront = true;
    expect(() => synthApp(validateProfile(input, 'dev-cloudfront'))).toThrow(
      /edge\.cloudFront is true in profile "dev", but CloudFront is not built/,
    );
  });
});

describe('EdgeStack contracts', () => {
  const t = synthApp('prod').template('edge');

  // The load balancer controller may only register targets in groups carrying this tag.
  test('target groups carry the environment tag the controller policy is conditioned on', () => {
    const groups = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.Properties.Tags).toContainEqual({ Key: 'environment', Value: 'prod' });
    }
  });

  // Retained in production: a rename would orphan the old bucket and start an empty one.
  test('the access log bucket keeps its logical id', () => {
    expect(Object.keys(t.findResources('AWS::S3::Bucket'))).toEqual(['AccessLogs247031D9']);
  });
});
