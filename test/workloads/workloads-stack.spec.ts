import type { Stack } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import { buildApp, synthApp } from '../support/synth-app';
import { containerEnv, manifestObjects, type K8sObject } from './manifest-json';

// Given the prod app (5 read replicas, the data stack's own ports)
const { stacks, template } = synthApp('prod');
const workloads = template('workloads');
const objectsOf = (chart: string) => manifestObjects(workloads, `ChatWorkloads${chart}`);
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject;

/** The marker `manifestObjects` leaves for a reference to `resource`'s `Ref` in another stack. */
const refTo = (resource: CfnResource) => {
  const stack: Stack = resource.stack;
  return new RegExp(`^«${stack.stackName}/PublishOutputRef${stack.getLogicalId(resource)}[0-9A-F]+»$`);
};

describe('WorkloadsStack', () => {
  test('every chart is one manifest resource applied by the cluster stack', () => {
    const manifests = workloads.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    expect(Object.keys(manifests).sort()).toEqual(
      ['Api', 'ApiMigrations', 'Gateway', 'Kong', 'Monitoring', 'Platform', 'Worker'].map((chart) =>
        expect.stringMatching(new RegExp(`^ChatWorkloads${chart}[0-9A-F]{8}$`)),
      ),
    );
    for (const manifest of Object.values(manifests)) {
      expect(manifest.Properties.ServiceToken['Fn::GetStackOutput'].StackName).toBe('CoTalk-prod-Cluster');
    }
  });

  test.each([
    ['Gateway', 'gateway', 'gateway'],
    ['Api', 'api', 'api'],
    ['Worker', 'worker', 'worker'],
  ] as const)('the %s Deployment runs its asset image, pinned by the asset hash', (chart, name, image) => {
    const deployment = find(objectsOf(chart), 'Deployment', name);
    const asset = stacks.workloads.images[image];
    const uri = deployment.spec.template.spec.containers[0].image as string;
    expect(uri.endsWith(`:${asset.imageTag}`)).toBe(true);
    expect(asset.imageTag).toMatch(/^[0-9a-f]{64}$/);
    // The bootstrap repository in the profile's account and region, with the partition's suffix.
    expect(uri).toBe(
      `${stacks.workloads.account}.dkr.ecr.${stacks.workloads.region}.«Ref:AWS::URLSuffix»/cdk-hnb659fds-container-assets-${stacks.workloads.account}-${stacks.workloads.region}:${asset.imageTag}`,
    );
  });

  test('the content hashes (migrations Job name, Kong config checksum) are the same in every synth', () => {
    // A second app in the same process: its tokens are numbered differently, the references they
    // stand for are not.
    const again = buildApp('prod').stacks.workloads.workloads.charts;
    const first = stacks.workloads.workloads.charts;
    expect(again.apiMigrations.jobName).toBe(first.apiMigrations.jobName);
    const checksum = (charts: typeof first) =>
      (charts.kong.toJson() as K8sObject[]).find((o) => o.kind === 'Deployment')?.spec.template.metadata.annotations[
        'co-talk/declarative-config-sha256'
      ];
    expect(checksum(again)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(again)).toBe(checksum(first));
  });

  test('the migrations Job runs the api image; the api chart waits for it to succeed', () => {
    const job = find(objectsOf('ApiMigrations'), 'Job', stacks.workloads.workloads.charts.apiMigrations.jobName);
    expect(job.spec.template.spec.containers[0].image).toBe(
      find(objectsOf('Api'), 'Deployment', 'api').spec.template.spec.containers[0].image,
    );
    const ids = Object.keys(workloads.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    const id = (chart: string) => ids.find((i) => new RegExp(`^ChatWorkloads${chart}[0-9A-F]{8}$`).test(i));
    const [waitId, wait] = Object.entries(workloads.findResources('Custom::AWSCDK-EKS-KubernetesObjectValue'))[0];
    expect(wait.Properties).toMatchObject({
      ObjectType: 'job',
      ObjectName: job.metadata.name,
      ObjectNamespace: 'co-talk',
      JsonPath: '.status.succeeded',
    });
    expect(wait.DependsOn).toEqual([id('ApiMigrations')]);
    expect(workloads.toJSON().Resources[id('Api')!].DependsOn).toEqual(expect.arrayContaining([waitId]));
  });

  test("Kong's credentials initContainer runs the api image with the data stack's secret ARNs", () => {
    const pod = find(objectsOf('Kong'), 'Deployment', 'kong').spec.template.spec;
    const [init] = pod.initContainers as K8sObject[];
    expect(init.image).toBe(find(objectsOf('Api'), 'Deployment', 'api').spec.template.spec.containers[0].image);
    const env = Object.fromEntries((init.env as K8sObject[]).map((e) => [e.name, e.value as string]));
    expect(Object.keys(env).sort()).toEqual(['AWS_REGION', 'JWT_PUBLIC_KEYS_SECRET_ARN', 'REDIS_PUBSUB_SECRET_ARN']);
    const { data } = stacks;
    expect(env.JWT_PUBLIC_KEYS_SECRET_ARN).toMatch(
      refTo(data.tokenSigning.publicKeys.node.defaultChild as CfnResource),
    );
    expect(env.REDIS_PUBSUB_SECRET_ARN).toMatch(
      refTo(data.redis.pubsub.users.kong!.secret.node.defaultChild as CfnResource),
    );
  });

  test('TargetGroupBindings name the edge stack target groups by reference, networking unset', () => {
    const gateway = find(objectsOf('Gateway'), 'TargetGroupBinding', 'gateway');
    const kong = find(objectsOf('Kong'), 'TargetGroupBinding', 'kong');
    const edgeTarget = (group: { node: { defaultChild?: unknown } }) => refTo(group.node.defaultChild as CfnResource);
    expect(gateway.spec.targetGroupARN).toMatch(edgeTarget(stacks.edge.websocketTargetGroup));
    expect(kong.spec.targetGroupARN).toMatch(edgeTarget(stacks.edge.restTargetGroup));
    for (const binding of [gateway, kong]) expect(binding.spec.networking).toBeUndefined();
  });

  test('the apps get the data stack endpoints and secret ARNs by reference, and its ports', () => {
    const { data } = stacks;
    const api = containerEnv(find(objectsOf('Api'), 'Deployment', 'api'));
    expect(api.DATABASE_PORT).toBe(String(data.database.port));
    expect(api.DATABASE_PORT).toBe('5433');
    expect(api.DATABASE_NAME).toBe('cotalk');
    expect(api.DATABASE_HOST).toMatch(/^«CoTalk-prod-Data\/PublishOutputFnGetAttChatDatabasePrimary\w+»$/);
    // One host per replica.
    const readers = api.DATABASE_READER_HOSTS.split(',');
    expect(readers).toHaveLength(5);
    readers.forEach((host, i) =>
      expect(host).toMatch(new RegExp(`^«CoTalk-prod-Data/PublishOutputFnGetAttChatDatabaseReplica${i + 1}`)),
    );
    // Its own role with IAM tokens: the master secret is not in its environment.
    expect(api.DATABASE_USER).toBe(data.database.appUsers.api);
    expect(api.DATABASE_IAM_AUTH).toBe('true');
    expect(api.DATABASE_SECRET_ARN).toBeUndefined();
    const migrate = find(objectsOf('ApiMigrations'), 'Job', stacks.workloads.workloads.charts.apiMigrations.jobName)
      .spec.template.spec.containers[0];
    const migrateEnv = Object.fromEntries((migrate.env as K8sObject[]).map((e) => [e.name, e.value as string]));
    expect(migrateEnv.DATABASE_SECRET_ARN).toMatch(
      /^«CoTalk-prod-Data\/PublishOutputRefChatDatabasePrimarySecretAttachment/,
    );
    expect(api.REDIS_CACHE_URL).toMatch(/^rediss:\/\/«CoTalk-prod-Data\/\w+RedisClustersCache\w+»:6380$/);
    expect(api.JWT_SIGNING_KEYS_SECRET_ARN).toMatch(refTo(data.tokenSigning.secret.node.defaultChild as CfnResource));
    expect(api.JWT_PUBLIC_KEYS_SECRET_ARN).toBeUndefined();
    expect(api.JWT_ISSUER).toBe('co-talk-prod');

    const gateway = containerEnv(find(objectsOf('Gateway'), 'Deployment', 'gateway'));
    expect(gateway.REDIS_PUBSUB_URL).toMatch(/:6381$/);
    expect(gateway.REDIS_STREAMS_URL).toMatch(/:6382$/);
    // Each app signs in as its own user, with that user's password.
    expect(gateway.REDIS_CACHE_USERNAME).toBe('cotalk-prod-gateway-cache');
    expect(gateway.REDIS_CACHE_SECRET_ARN).toMatch(
      refTo(data.redis.cache.users.gateway!.secret.node.defaultChild as CfnResource),
    );
    expect(api.REDIS_CACHE_USERNAME).toBe('cotalk-prod-api-cache');
    expect(api.REDIS_CACHE_SECRET_ARN).toMatch(
      refTo(data.redis.cache.users.api!.secret.node.defaultChild as CfnResource),
    );
    // The gateway verifies with the public keys and cannot read the private ones.
    expect(gateway.JWT_PUBLIC_KEYS_SECRET_ARN).toMatch(
      refTo(data.tokenSigning.publicKeys.node.defaultChild as CfnResource),
    );
    expect(gateway.JWT_SIGNING_KEYS_SECRET_ARN).toBeUndefined();
  });

  test('the platform egress policies open exactly the data stack ports', () => {
    const platform = objectsOf('Platform');
    const ports = (name: string) =>
      find(platform, 'NetworkPolicy', name).spec.egress[0].ports.map((p: K8sObject) => p.port);
    expect(ports('gateway-to-data')).toEqual([6381, 6382, 6380]);
    expect(ports('api-to-data')).toEqual([5433, 6380, 443]);
    expect(ports('worker-to-data')).toEqual([5433, 6382, 443]);
    expect(ports('kong-to-redis')).toEqual([6381]);
  });

  test('charts that use CRDs come after the controllers that install them; the stack after its inputs', () => {
    const { manifests } = stacks.workloads.workloads;
    const controller = stacks.cluster.loadBalancerController.chart;
    const prometheus = stacks.observability.prometheus.chart;
    expect(manifests.gateway.node.dependencies).toContain(controller);
    expect(manifests.kong.node.dependencies).toContain(controller);
    expect(manifests.monitoring.node.dependencies).toContain(prometheus);
    // Across stacks that becomes a stack dependency: CloudFormation deploys those stacks first.
    expect(stacks.workloads.dependencies).toEqual(
      expect.arrayContaining([stacks.cluster, stacks.edge, stacks.data, stacks.observability]),
    );
    // Nothing depends on the workloads: replacing them never touches another stack.
    for (const other of [stacks.network, stacks.data, stacks.cluster, stacks.edge, stacks.observability]) {
      expect(other.dependencies).not.toContain(stacks.workloads);
    }
  });

  test('the node selectors use the cluster node-role label', () => {
    const gateway = find(objectsOf('Gateway'), 'Deployment', 'gateway').spec.template.spec;
    expect(gateway.nodeSelector).toEqual({ 'co-talk.io/node-role': 'gateway' });
    expect(gateway.tolerations).toEqual([
      { key: 'co-talk.io/node-role', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' },
    ]);
  });
});
