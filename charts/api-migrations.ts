import { ApiObject, Chart, JsonPatch, Size, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { API_SERVICE_ACCOUNT, type ApiChartProps } from './api';
import { WORKLOAD_SERVICE_ACCOUNTS } from '../lib/contract';
import { backendEnv } from './backends';
import { contentHash, type Fingerprint } from './content-hash';
import { APP_UID, ChatServiceAccount } from './chat-workload';
import { requirePinnedImage } from './image';
import { cpuMillis, memoryMebibytes } from './quantity';

/** The api image's command that applies pending migrations and exits (see `apps/api/src/main.ts`). */
export const MIGRATE_ARGS = ['dist/main.js', 'migrate'] as const;

/** Label of the migration pods (the network policy that lets them reach PostgreSQL selects it). */
export const API_MIGRATE_NAME = 'api-migrate';

/**
 * The Job's ServiceAccount: its Pod Identity role alone may read the database master secret, which
 * creating the app roles and the schema needs. The api's pods run as `api`, which may not.
 */
export const MIGRATIONS_SERVICE_ACCOUNT = WORKLOAD_SERVICE_ACCOUNTS.migrations;

/**
 * Retries before the Job fails. Migrations are transactional and advisory-locked, so a retry after
 * a lost connection is safe; a real error fails three times and the deploy stops.
 */
const BACKOFF_LIMIT = 3;

/** Props for {@link ApiMigrationsChart}. */
export type ApiMigrationsChartProps = ApiChartProps &
  ChartProps & {
    /** Stable text of values that may hold tokens, for the Job's name. @default plainFingerprint */
    readonly fingerprint?: Fingerprint;
  };

/**
 * The api's ServiceAccount and a Job that runs the api image's `migrate` command, as the master
 * user, with nothing of the api's environment but the database (no token key). The workloads
 * stack applies this chart, waits for the Job to succeed, and only then applies the api chart, so
 * new api pods (which run with `MIGRATE_ON_START=false`) never meet an old schema.
 *
 * A Job's pod template is immutable, so the Job's name carries a hash of its spec: a new image or
 * setting makes a new Job (the previous one is pruned), and an unchanged deploy reapplies the
 * finished Job as it is.
 */
export class ApiMigrationsChart extends Chart {
  /** The Job's name, which the workloads stack waits on. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: ApiMigrationsChartProps) {
    super(scope, id, props);
    const image = requirePinnedImage('api image', props.image, 'digest-or-asset-hash');
    const labels = { 'app.kubernetes.io/name': API_MIGRATE_NAME, 'app.kubernetes.io/part-of': 'co-talk' };
    const env = backendEnv(props.backends, 'migrations');
    const { cpu, memory } = props.profile.workloads.api;
    this.jobName = `${API_MIGRATE_NAME}-${contentHash({ image, env, cpu, memory }, props.fingerprint, 12)}`;

    new ChatServiceAccount(this, 'ServiceAccount', {
      name: API_SERVICE_ACCOUNT,
      labels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'co-talk' },
    });
    const serviceAccount = new ChatServiceAccount(this, 'MigrationsServiceAccount', {
      name: MIGRATIONS_SERVICE_ACCOUNT,
      labels,
    });
    const job = new kplus.Job(this, 'Job', {
      metadata: { name: this.jobName, labels },
      podMetadata: { labels },
      serviceAccount,
      automountServiceAccountToken: false,
      backoffLimit: BACKOFF_LIMIT,
      restartPolicy: kplus.RestartPolicy.NEVER,
      securityContext: { ensureNonRoot: true, user: APP_UID, group: APP_UID, fsGroup: APP_UID },
      containers: [
        {
          name: 'migrate',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [...MIGRATE_ARGS],
          envVariables: Object.fromEntries(
            Object.entries(env).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)]),
          ),
          resources: {
            cpu: { request: kplus.Cpu.millis(cpuMillis(cpu)), limit: kplus.Cpu.millis(cpuMillis(cpu)) },
            memory: {
              request: Size.mebibytes(memoryMebibytes(memory)),
              limit: Size.mebibytes(memoryMebibytes(memory)),
            },
          },
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
          },
        },
      ],
    });
    job.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp'));
    // What cdk8s-plus-27 cannot express (as for every workload, see chat-workload.ts).
    ApiObject.of(job).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
  }
}
