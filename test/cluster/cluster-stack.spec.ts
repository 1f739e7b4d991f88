import { Match } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { CONTROL_PLANE_LOG_TYPES } from '../../lib/cluster/chat-cluster';
import { GATEWAY_CONTAINER_NOFILE, GATEWAY_NODE_CONNTRACK_MAX } from '../../lib/cluster/gateway-node-tuning';
import { CHAT_NAMESPACE as WORKLOAD_NAMESPACE, NODE_ROLE_LABEL } from '../../lib/contract';
import { ADDON_VERSIONS, CLUSTER_AUTOSCALER_CHART, LOAD_BALANCER_CONTROLLER_CHART } from '../../lib/cluster/versions';
import { PROFILE_NAMES } from '../../lib/config';
import { synthApp } from '../support/synth-app';

/** The parts of a MIME multi-part text, by content type (headers and body split at the first blank line). */
function mimeParts(text: string): Map<string, string> {
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  if (!boundary) throw new Error('no MIME boundary');
  const parts = new Map<string, string>();
  for (const part of text.split(`--${boundary}`).slice(1, -1)) {
    const [headers, ...body] = part.replace(/^\n/, '').split('\n\n');
    const type = /^Content-Type: ([^;\n]+)/m.exec(headers)?.[1];
    if (type) parts.set(type, body.join('\n\n'));
  }
  return parts;
}

describe.each(PROFILE_NAMES)('ClusterStack (%s)', (name) => {
  const { profile, template } = synthApp(name);
  const t = template('cluster');

  test('runs the profile Kubernetes version on managed node groups, not Auto Mode', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Version: profile.cluster.kubernetesVersion,
      ComputeConfig: { Enabled: false },
    });
  });

  // Toggling either flag replaces the cluster: this test is the guard.
  test('pins the bootstrap flags: no hidden creator admin, no self-managed add-ons', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      BootstrapSelfManagedAddons: false,
    });
  });

  test('ships all five control-plane log types', () => {
    expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({
            Type: type,
          })),
        },
      },
    });
  });

  test('opens the endpoint as the profile says', () => {
    const vpcConfig =
      profile.cluster.endpointAccess === 'private'
        ? { EndpointPrivateAccess: true, EndpointPublicAccess: false, PublicAccessCidrs: Match.absent() }
        : {
            EndpointPrivateAccess: true,
            EndpointPublicAccess: true,
            PublicAccessCidrs: profile.cluster.publicAccessCidrs,
          };
    t.hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike(vpcConfig) });
  });

  test('envelope-encrypts secrets with a rotating customer-managed key', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [
        {
          Provider: { KeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatClusterSecretsKey'), 'Arn'] } },
          Resources: ['secrets'],
        },
      ],
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('runs the kubectl provider inside the VPC', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('kubectl'),
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
  });

  test('gives each admin role a cluster-admin access entry', () => {
    for (const roleArn of profile.cluster.adminRoleArns) {
      t.hasResourceProperties('AWS::EKS::AccessEntry', {
        PrincipalArn: roleArn,
        AccessPolicies: [
          Match.objectLike({
            PolicyArn: Match.objectLike({
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonEKSClusterAdminPolicy')])],
            }),
          }),
        ],
      });
    }
  });

  test.each(['system', 'gateway', 'api'] as const)('the %s node group follows the profile', (role) => {
    const group = profile.cluster.nodeGroups[role];
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: profile.cluster.graviton ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD',
      InstanceTypes: group.instanceTypes,
      CapacityType: group.capacityType,
      ScalingConfig: { MinSize: group.minSize, DesiredSize: group.desiredSize, MaxSize: group.maxSize },
      Labels: { [NODE_ROLE_LABEL]: role },
      Taints: role === 'system' ? [] : [{ Key: NODE_ROLE_LABEL, Value: role, Effect: 'NO_SCHEDULE' }],
      LaunchTemplate: Match.objectLike({ Id: Match.anyValue() }),
    });
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: group.diskSizeGiB, VolumeType: 'gp3' } },
        ],
      }),
    });
  });

  test('every launch template carries the EKS cluster security group and the workload security group', () => {
    const templates = t.findResources('AWS::EC2::LaunchTemplate');
    expect(Object.keys(templates)).toHaveLength(3);
    for (const lt of Object.values(templates)) {
      const data = lt.Properties.LaunchTemplateData;
      expect(data.MetadataOptions).toEqual({ HttpTokens: 'required' });
      expect(data.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^ChatCluster/), 'ClusterSecurityGroupId'] },
        {
          'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringMatching(/WorkloadSecurityGroup/) }),
        },
      ]);
    }
  });

  test('gateway nodes alone get the connection limits the capacity model counts on', () => {
    const withUserData = Object.values(t.findResources('AWS::EC2::LaunchTemplate')).filter(
      (lt) => lt.Properties.LaunchTemplateData.UserData !== undefined,
    );
    expect(withUserData).toHaveLength(1);
    const userData = withUserData[0].Properties.LaunchTemplateData.UserData;
    // Only the gateway template has user data: MIME multi-part text, joined from literal parts (the
    // shell part is a base64 part, `Fn::Base64` of its literal script).
    const body = userData['Fn::Base64'] as string | { 'Fn::Join': [string, unknown[]] };
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1]
            .map((part) => {
              if (typeof part === 'object' && part !== null && 'Fn::Base64' in part) part = part['Fn::Base64'];
              if (typeof part !== 'string') throw new Error(`user data part is not literal: ${JSON.stringify(part)}`);
              return part;
            })
            .join(body['Fn::Join'][0]);
    expect(text).toMatch(/^Content-Type: multipart\/mixed; boundary=/);
    // nodeadm: containerd's base runtime spec gives every container 1048576 open files.
    const nodeConfig = parse(mimeParts(text).get('application/node.eks.aws') ?? 'null');
    expect(nodeConfig).toEqual({
      apiVersion: 'node.eks.aws/v1alpha1',
      kind: 'NodeConfig',
      spec: {
        containerd: {
          baseRuntimeSpec: { process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 }] } },
        },
      },
    });
    // The conntrack table kept at its planned size after kube-proxy sets its own, smaller one.
    expect(text).toContain(`want=${GATEWAY_NODE_CONNTRACK_MAX}`);
    expect(text).toContain('echo "$want" > /proc/sys/net/netfilter/nf_conntrack_max');
    expect(text).toContain('OnUnitActiveSec=30s');
    expect(text).toContain('systemctl enable --now co-talk-conntrack-floor.timer');
    expect([GATEWAY_CONTAINER_NOFILE, GATEWAY_NODE_CONNTRACK_MAX]).toEqual([1_048_576, 2_097_152]);
    const gatewayGroup = Object.values(t.findResources('AWS::EKS::Nodegroup')).find(
      (g) => g.Properties.Labels[NODE_ROLE_LABEL] === 'gateway',
    )!;
    const [templateId] = Object.entries(t.findResources('AWS::EC2::LaunchTemplate')).find(
      ([, lt]) => lt === withUserData[0],
    )!;
    expect(gatewayGroup.Properties.LaunchTemplate.Id).toEqual({ Ref: templateId });
  });

  test('installs every managed add-on at its pinned version', () => {
    for (const [addonName, version] of Object.entries(ADDON_VERSIONS)) {
      t.hasResourceProperties('AWS::EKS::Addon', { AddonName: addonName, AddonVersion: version });
    }
    t.resourceCountIs('AWS::EKS::Addon', Object.keys(ADDON_VERSIONS).length);
  });

  test('installs the controllers from pinned charts', () => {
    for (const chart of [LOAD_BALANCER_CONTROLLER_CHART, CLUSTER_AUTOSCALER_CHART]) {
      t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
        Chart: chart.chart,
        Repository: chart.repository,
        Version: chart.version,
        Namespace: 'kube-system',
      });
    }
  });

  test('binds each chat workload to its own Pod Identity role', () => {
    for (const serviceAccount of ['gateway', 'api', 'worker', 'kong']) {
      t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
        Namespace: WORKLOAD_NAMESPACE,
        ServiceAccount: serviceAccount,
      });
    }
  });

  test('lets the load balancer controller only register pods into this environment target groups', () => {
    const policies = t.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^LoadBalancerController') },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions).not.toContain('elasticloadbalancing:CreateLoadBalancer');
    expect(actions.filter((a: string) => !a.includes(':Describe')).sort()).toEqual([
      'elasticloadbalancing:DeregisterTargets',
      'elasticloadbalancing:RegisterTargets',
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'BindPods',
        Condition: { StringEquals: { 'aws:ResourceTag/environment': profile.name } },
      }),
    );
  });

  test('lets the autoscaler resize only this cluster node groups', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ClusterAutoscaler'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ScaleOwnGroups',
            Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
            Condition: {
              StringEquals: { 'aws:ResourceTag/eks:cluster-name': { Ref: Match.stringLikeRegexp('^ChatCluster') } },
            },
          }),
        ]),
      },
    });
  });
});

describe('ClusterStack logical ids', () => {
  // Renaming these replaces the cluster (and its secrets key): a rename must fail here first.
  test('the cluster and its secrets key keep their logical ids', () => {
    const t = synthApp('prod').template('cluster');
    expect(Object.keys(t.findResources('AWS::EKS::Cluster'))).toEqual(['ChatClusterDAFA5C0F']);
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual(['ChatClusterSecretsKey634C8DF9']);
  });
});

describe('ClusterStack capacity types', () => {
  test('prod runs the gateway and api nodes on Spot with several types of one size, the system nodes On-Demand', () => {
    const groups = Object.values(synthApp('prod').template('cluster').findResources('AWS::EKS::Nodegroup')).map(
      (g) => g.Properties,
    );
    const byRole = (role: string) => groups.find((g) => g.Labels[NODE_ROLE_LABEL] === role);
    for (const role of ['gateway', 'api']) {
      expect(byRole(role)).toMatchObject({
        CapacityType: 'SPOT',
        InstanceTypes: ['c7g.xlarge', 'c6g.xlarge'],
      });
    }
    expect(byRole('system')).toMatchObject({ CapacityType: 'ON_DEMAND', InstanceTypes: ['m7g.large'] });
  });
});
