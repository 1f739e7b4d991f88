import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DEDICATED_NODE_ROLES, NODE_ROLE_LABEL, type NodeRole } from '../lib/contract';
import type { WorkloadProfile } from '../lib/config';
import { requirePinnedImage, type ImagePinning } from './image';
import * as k8s from './imports/k8s';
import { cpuMillis, memoryMebibytes } from './quantity';

/**
 * The user the apps run as. Numeric, because the kubelet can verify `runAsNonRoot` only for a
 * numeric user (an image's `USER node` would be refused); outside the range images assign.
 */
export const APP_UID = 10001;

/** One named container port, also exposed by the Service. */
export interface WorkloadPort {
  /** Port name (IANA_SVC_NAME: at most 15 lowercase characters). */
  readonly name: string;
  /** Port number. */
  readonly port: number;
}

/** Where the probes look. */
export interface WorkloadProbes {
  /** Port the probe endpoints listen on. */
  readonly port: number;
  /** Liveness path (the process is healthy). */
  readonly liveness: string;
  /** Readiness path (the pod can take traffic); also the startup probe. */
  readonly readiness: string;
}

/** How the HPA removes pods. */
export interface ScaleDownPolicy {
  /** At most this many pods go per `periodSeconds`. */
  readonly pods: number;
  /** The period, in seconds. */
  readonly periodSeconds: number;
}

/** Props for {@link ChatWorkload}. */
export interface ChatWorkloadProps {
  /**
   * Name of the Deployment, Service, ServiceAccount (EKS Pod Identity associations name it) and
   * the `app.kubernetes.io/name` label.
   */
  readonly name: string;
  /** Container image; must be pinned as `imagePinning` says. */
  readonly image: string;
  /** What counts as pinned. @default 'digest-or-asset-hash' */
  readonly imagePinning?: ImagePinning;
  /** Pod size and HPA bounds (the profile's `workloads.<name>`). */
  readonly size: WorkloadProfile;
  /** Container ports, all exposed by the Service under the same names. */
  readonly ports: readonly WorkloadPort[];
  /** Probe endpoints. */
  readonly probes: WorkloadProbes;
  /** Command replacing the image's entrypoint. @default - the image's entrypoint and command */
  readonly command?: readonly string[];
  /** Plain environment variables (endpoints, ARNs, settings; never secret values). */
  readonly env?: Record<string, string>;
  /** Environment variables taken from the pod's own fields (downward API). @default - none */
  readonly fieldEnv?: Record<string, kplus.EnvFieldPaths>;
  /** Writable directories, each an emptyDir (the root filesystem is read-only). @default ['/tmp'] */
  readonly writablePaths?: readonly string[];
  /** Further volumes, mounted read-only (configuration). @default - none */
  readonly configVolumes?: readonly { readonly path: string; readonly volume: kplus.Volume }[];
  /** Pod template annotations (a configuration checksum rolls the pods when it changes). @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** Numeric user (and group) the container runs as. @default APP_UID */
  readonly runAsUser?: number;
  /**
   * Node group role to run on: a nodeSelector on the cluster's role label, plus a toleration of
   * the role's taint where the role is dedicated. @default - any untainted node
   */
  readonly nodeRole?: NodeRole;
  /** Seconds the pod sleeps in preStop so the load balancer stops sending first. @default - no preStop */
  readonly preStopSleepSeconds?: number;
  /** The whole shutdown budget in seconds, preStop included. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Limits how fast the HPA removes pods. @default - Kubernetes' default policies */
  readonly scaleDownPolicy?: ScaleDownPolicy;
  /**
   * Run as this ServiceAccount, created elsewhere (by a chart applied earlier), instead of one of
   * the workload's own. @default - the workload creates a ServiceAccount named `name`
   */
  readonly existingServiceAccount?: string;
  /**
   * Replace pods one at a time without a surge pod: for workloads that fill their nodes, where a
   * surge pod would wait for a node that the node group's maximum may not allow.
   * @default false (25% surge, none unavailable)
   */
  readonly replaceWithoutSurge?: boolean;
}

/**
 * A chat workload the way every Co-Talk pod runs: hardened container (Pod Security
 * "restricted"), requests = limits from the profile, probes, spread over zones and nodes, its own
 * ServiceAccount, a ClusterIP Service, an HPA (autoscaling/v2) that owns the replica count and a
 * PodDisruptionBudget (policy/v1).
 */
export class ChatWorkload extends Construct {
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The ClusterIP Service in front of it. */
  public readonly service: kplus.Service;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The labels that select this workload's pods. */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: ChatWorkloadProps) {
    super(scope, id);
    const image = requirePinnedImage(`${props.name} image`, props.image, props.imagePinning ?? 'digest-or-asset-hash');
    this.selectorLabels = { 'app.kubernetes.io/name': props.name };
    const labels = { ...this.selectorLabels, 'app.kubernetes.io/part-of': 'co-talk' };

    this.serviceAccount =
      props.existingServiceAccount === undefined
        ? new ChatServiceAccount(this, 'ServiceAccount', { name: props.name, labels })
        : kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', props.existingServiceAccount);

    const cpu = cpuMillis(props.size.cpu);
    const memory = memoryMebibytes(props.size.memory);
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name, labels },
      podMetadata: { labels, annotations: props.podAnnotations },
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: true,
        user: props.runAsUser ?? APP_UID,
        group: props.runAsUser ?? APP_UID,
        fsGroup: props.runAsUser ?? APP_UID,
      },
      terminationGracePeriod: Duration.seconds(props.terminationGracePeriodSeconds ?? 30),
      strategy: props.replaceWithoutSurge
        ? kplus.DeploymentStrategy.rollingUpdate({
            maxSurge: kplus.PercentOrAbsolute.absolute(0),
            maxUnavailable: kplus.PercentOrAbsolute.absolute(1),
          })
        : kplus.DeploymentStrategy.rollingUpdate({
            maxSurge: kplus.PercentOrAbsolute.percent(25),
            maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
          }),
      containers: [
        {
          name: props.name,
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: props.command ? [...props.command] : undefined,
          ports: props.ports.map((p) => ({ name: p.name, number: p.port })),
          envVariables: {
            ...Object.fromEntries(
              Object.entries(props.env ?? {}).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)]),
            ),
            ...Object.fromEntries(
              Object.entries(props.fieldEnv ?? {}).map(([name, field]) => [name, kplus.EnvValue.fromFieldRef(field)]),
            ),
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(cpu), limit: kplus.Cpu.millis(cpu) },
            memory: { request: Size.mebibytes(memory), limit: Size.mebibytes(memory) },
          },
          liveness: kplus.Probe.fromHttpGet(props.probes.liveness, { port: props.probes.port }),
          readiness: kplus.Probe.fromHttpGet(props.probes.readiness, { port: props.probes.port }),
          startup: kplus.Probe.fromHttpGet(props.probes.readiness, { port: props.probes.port }),
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    const container = this.deployment.containers[0];
    (props.writablePaths ?? ['/tmp']).forEach((path, i) => {
      const volumeName = `writable-${i}`;
      container.mount(path, kplus.Volume.fromEmptyDir(this, `Writable${i}`, volumeName));
    });
    for (const { path, volume } of props.configVolumes ?? []) container.mount(path, volume, { readOnly: true });
    if (props.nodeRole !== undefined && DEDICATED_NODE_ROLES.includes(props.nodeRole)) {
      this.deployment.scheduling.tolerate(
        kplus.Node.tainted(
          kplus.NodeTaintQuery.is(NODE_ROLE_LABEL, props.nodeRole, { effect: kplus.TaintEffect.NO_SCHEDULE }),
        ),
      );
    }

    this.patchBeyondCdk8sPlus(props);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    });
    // Select by the stable name label, not cdk8s-plus' construct-path label, so that moving a
    // construct never leaves the Service (and the load balancer behind it) without endpoints.
    for (const [key, value] of Object.entries(this.selectorLabels)) this.service.selectLabel(key, value);

    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: { name: props.name, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
        minReplicas: props.size.minReplicas,
        maxReplicas: props.size.maxReplicas,
        metrics: [
          utilization('cpu', props.size.targetCpuPercent),
          ...(props.size.targetMemoryPercent === undefined
            ? []
            : [utilization('memory', props.size.targetMemoryPercent)]),
        ],
        behavior:
          props.size.scaleDownStabilizationSeconds === undefined && props.scaleDownPolicy === undefined
            ? undefined
            : {
                scaleDown: {
                  stabilizationWindowSeconds: props.size.scaleDownStabilizationSeconds,
                  selectPolicy: props.scaleDownPolicy ? 'Min' : undefined,
                  policies: props.scaleDownPolicy
                    ? [
                        {
                          type: 'Pods',
                          value: props.scaleDownPolicy.pods,
                          periodSeconds: props.scaleDownPolicy.periodSeconds,
                        },
                      ]
                    : undefined,
                },
              },
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: props.name, labels },
      spec: {
        // One voluntary eviction at a time, never a block: a node drain always makes progress.
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: this.selectorLabels },
      },
    });
  }

  /**
   * What cdk8s-plus-27 cannot express, as JSON patches on the rendered Deployment: seccomp
   * RuntimeDefault, dropping all capabilities (its Capability enum has no ALL), nodeSelector,
   * topology spread constraints, the preStop sleep action (Kubernetes 1.30+) and no
   * `spec.replicas` (the HPA owns the count; a value here would reset it on every deploy).
   */
  private patchBeyondCdk8sPlus(props: ChatWorkloadProps): void {
    const deployment = ApiObject.of(this.deployment);
    const pod = '/spec/template/spec';
    deployment.addJsonPatch(
      JsonPatch.remove('/spec/replicas'),
      JsonPatch.add(`${pod}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
      JsonPatch.add(`${pod}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }),
      JsonPatch.add(`${pod}/topologySpreadConstraints`, [
        spread('topology.kubernetes.io/zone', 'DoNotSchedule', this.selectorLabels),
        spread('kubernetes.io/hostname', 'ScheduleAnyway', this.selectorLabels),
      ]),
    );
    if (props.nodeRole !== undefined) {
      deployment.addJsonPatch(JsonPatch.add(`${pod}/nodeSelector`, { [NODE_ROLE_LABEL]: props.nodeRole }));
    }
    if (props.preStopSleepSeconds !== undefined) {
      patchAfterTyping(
        deployment,
        JsonPatch.add(`${pod}/containers/0/lifecycle`, { preStop: { sleep: { seconds: props.preStopSleepSeconds } } }),
      );
    }
  }
}

/** Props for {@link ChatServiceAccount}. */
export interface ChatServiceAccountProps {
  /** Name (the cluster's Pod Identity association names it). */
  readonly name: string;
  /** Labels. */
  readonly labels: Record<string, string>;
}

/** A workload's ServiceAccount: no API token mounted, since the pods never call the Kubernetes API. */
export class ChatServiceAccount extends kplus.ServiceAccount {
  constructor(scope: Construct, id: string, props: ChatServiceAccountProps) {
    // Pod Identity injects its own projected token for AWS.
    super(scope, id, { metadata: { name: props.name, labels: props.labels }, automountToken: false });
  }
}

/**
 * Applies `ops` after the generated bindings have rendered `apiObject`. `addJsonPatch` runs
 * before the 1.27 bindings copy only the fields they know, so a field added to Kubernetes later
 * (the preStop `sleep` action, 1.30) would be dropped; the schema tests validate the result.
 */
function patchAfterTyping(apiObject: ApiObject, ...ops: JsonPatch[]): void {
  const render = apiObject.toJson.bind(apiObject);
  apiObject.toJson = () => JsonPatch.apply(render(), ...ops);
}

function utilization(resource: 'cpu' | 'memory', percent: number): k8s.MetricSpecV2 {
  return {
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: percent } },
  };
}

function spread(
  topologyKey: string,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
  matchLabels: Record<string, string>,
) {
  return { maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels } };
}
