import { ofKind, synthCharts, type K8sObject } from './synth-charts';

const PINNED_IMAGE = /(@sha256:[0-9a-f]{64}|:[0-9a-f]{64}|:\d+\.\d+\.\d+)$/;
/** Environment names that would hold a secret value; such variables may only come from a Secret. */
// A token's lifetime is a setting, not a token.
const SECRET_NAME = /PASSWORD|SECRET(?!_ARN)|TOKEN(?!_TTL_SECONDS$)|KEY$/;
/** The security context of every container and initContainer. */
const HARDENED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};

describe.each(['dev', 'prod'])('every workload of the %s profile', (profileName) => {
  const { objects } = synthCharts(profileName);
  const deployments = ofKind(objects, 'Deployment');
  const containers = deployments.flatMap((d) =>
    (d.spec.template.spec.containers as K8sObject[]).map((c) => ({ deployment: d.metadata.name as string, c })),
  );

  const initContainers = deployments.flatMap((d) =>
    ((d.spec.template.spec.initContainers ?? []) as K8sObject[]).map((c) => ({
      deployment: d.metadata.name as string,
      c,
    })),
  );

  test('initContainers are hardened, pinned, sized like the rest and hold no secret value', () => {
    expect(initContainers.map(({ deployment, c }) => `${deployment}/${c.name}`)).toEqual(['kong/credentials']);
    for (const { c } of initContainers) {
      expect(c.securityContext).toEqual(HARDENED_CONTAINER);
      expect(c.image).toMatch(PINNED_IMAGE);
      expect(c.resources.requests).toEqual(c.resources.limits);
      for (const env of c.env as K8sObject[]) {
        expect({ name: env.name, secretLike: SECRET_NAME.test(env.name) }).toEqual({
          name: env.name,
          secretLike: false,
        });
      }
    }
  });

  test('there are four Deployments', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['api', 'gateway', 'kong', 'worker']);
  });

  test.each(['api', 'gateway', 'kong', 'worker'])('%s runs under the restricted Pod Security profile', (name) => {
    const pod = ofKind(objects, 'Deployment', name)[0].spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // The kubelet can only verify runAsNonRoot against a numeric user.
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBe(false);
    for (const c of pod.containers as K8sObject[]) {
      expect(c.securityContext).toEqual(HARDENED_CONTAINER);
    }
  });

  // Kong's key refresh sidecar serves nothing to probe: a timer loop that logs a failed round and
  // tries again next interval; the pod's readiness is Kong's.
  const UNPROBED = new Set(['kong/key-refresh']);

  test('every container has equal requests and limits, and all three probes (serving containers)', () => {
    for (const { deployment, c } of containers) {
      const where = `${deployment}/${c.name}`;
      expect({ where, requests: c.resources.requests }).toEqual({ where, requests: c.resources.limits });
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
      if (UNPROBED.has(where)) continue;
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        expect({ where, probe, path: c[probe]?.httpGet?.path }).toEqual({ where, probe, path: expect.any(String) });
      }
    }
  });

  test('every image is pinned and none is latest', () => {
    for (const { c } of containers) {
      expect(c.image).toMatch(PINNED_IMAGE);
      expect(c.image).not.toMatch(/:latest$/);
    }
  });

  test('every container gets a writable /tmp and nothing else is writable', () => {
    for (const { deployment, c } of containers) {
      const pod = ofKind(objects, 'Deployment', deployment)[0].spec.template.spec;
      const mounts = c.volumeMounts as K8sObject[];
      expect(mounts.map((m) => m.mountPath)).toContain('/tmp');
      for (const m of mounts.filter((mount) => !mount.readOnly)) {
        expect(pod.volumes.find((v: K8sObject) => v.name === m.name).emptyDir).toBeDefined();
      }
    }
  });

  test('no secret value appears in a manifest', () => {
    for (const { deployment, c } of containers) {
      for (const env of c.env as K8sObject[]) {
        if (SECRET_NAME.test(env.name)) {
          expect({ deployment, name: env.name, value: env.value }).toEqual({
            deployment,
            name: env.name,
            value: undefined,
          });
        }
      }
    }
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  test('every Deployment has exactly one PDB and one HPA, and leaves the replica count to the HPA', () => {
    for (const d of deployments) {
      const name = d.metadata.name;
      expect(d.spec.replicas).toBeUndefined();
      const pdbs = ofKind(objects, 'PodDisruptionBudget').filter(
        (p) => JSON.stringify(p.spec.selector) === JSON.stringify(d.spec.selector),
      );
      expect(pdbs.map((p) => p.metadata.name)).toEqual([name]);
      const hpas = ofKind(objects, 'HorizontalPodAutoscaler').filter((h) => h.spec.scaleTargetRef.name === name);
      expect(hpas.map((h) => h.spec.scaleTargetRef)).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name }]);
    }
  });

  test('every Deployment spreads over zones and nodes, under its own ServiceAccount', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.topologySpreadConstraints.map((t: K8sObject) => t.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
      expect(pod.serviceAccountName).toBe(d.metadata.name);
      expect(ofKind(objects, 'ServiceAccount', d.metadata.name)).toHaveLength(1);
    }
  });
});
