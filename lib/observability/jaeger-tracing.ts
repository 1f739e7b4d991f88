import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { NODE_ROLE_LABEL, OBSERVABILITY_NAMESPACE } from '../contract';
import { JAEGER_IMAGE } from './versions';

/** OTLP ports the apps export spans to, at `jaeger.observability:<port>`. */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
/** The Jaeger UI and query API. */
export const JAEGER_QUERY_PORT = 16686;

/** Props for {@link JaegerTracing}. */
export interface JaegerTracingProps {
  /** The cluster to install into. */
  readonly cluster: eks.ICluster;
  /** Days traces are kept (Badger's span TTL). */
  readonly retentionDays: number;
  /** Size of the trace volume. */
  readonly volumeGiB: number;
}

/**
 * Jaeger v2, one replica storing traces in Badger on an encrypted gp3 volume, receiving OTLP
 * from the apps and serving the UI inside the cluster (`kubectl port-forward`).
 *
 * Plain manifests rather than a chart: the whole deployment is a ConfigMap, a volume, a
 * Deployment and a Service, and the manifests keep every field reviewable in the template.
 * One replica is a deliberate limit: Badger is a single-writer store, and losing a few minutes
 * of traces during a restart is acceptable; the spans' sampling happens in the apps.
 */
export class JaegerTracing extends Construct {
  /** The Kubernetes objects. */
  public readonly manifest: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: JaegerTracingProps) {
    super(scope, id);
    const name = 'jaeger';
    const labels = { 'app.kubernetes.io/name': name };
    const metadata = { name, namespace: OBSERVABILITY_NAMESPACE, labels };
    const config = {
      service: {
        extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] },
        },
      },
      extensions: {
        healthcheckv2: { use_v2: true, http: { endpoint: '0.0.0.0:13133' } },
        jaeger_query: { storage: { traces: 'main' } },
        jaeger_storage: {
          backends: {
            main: {
              badger: {
                directories: { keys: '/badger/keys', values: '/badger/values' },
                ephemeral: false,
                ttl: { spans: `${props.retentionDays * 24}h` },
              },
            },
          },
        },
      },
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
            http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
          },
        },
      },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: 'main' } },
    };

    this.manifest = new eks.KubernetesManifest(this, 'Manifest', {
      cluster: props.cluster,
      manifest: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'config.yaml': stringify(config) } },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata,
          spec: {
            storageClassName: 'gp3',
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: `${props.volumeGiB}Gi` } },
          },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata,
          spec: {
            replicas: 1,
            // The volume attaches to one node at a time.
            strategy: { type: 'Recreate' },
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                nodeSelector: { [NODE_ROLE_LABEL]: 'system' },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  fsGroup: 10001,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [
                  {
                    name,
                    image: JAEGER_IMAGE,
                    args: ['--config', '/etc/jaeger/config.yaml'],
                    ports: [
                      { name: 'otlp-grpc', containerPort: OTLP_GRPC_PORT },
                      { name: 'otlp-http', containerPort: OTLP_HTTP_PORT },
                      { name: 'query', containerPort: JAEGER_QUERY_PORT },
                      { name: 'health', containerPort: 13133 },
                    ],
                    readinessProbe: { httpGet: { path: '/status', port: 'health' } },
                    livenessProbe: { httpGet: { path: '/status', port: 'health' }, initialDelaySeconds: 30 },
                    resources: {
                      requests: { cpu: '500m', memory: '1Gi' },
                      limits: { memory: '2Gi' },
                    },
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      capabilities: { drop: ['ALL'] },
                    },
                    volumeMounts: [
                      { name: 'config', mountPath: '/etc/jaeger' },
                      { name: 'data', mountPath: '/badger' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'config', configMap: { name } },
                  { name: 'data', persistentVolumeClaim: { claimName: name } },
                ],
              },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata,
          spec: {
            selector: labels,
            ports: [
              { name: 'otlp-grpc', port: OTLP_GRPC_PORT, targetPort: 'otlp-grpc' },
              { name: 'otlp-http', port: OTLP_HTTP_PORT, targetPort: 'otlp-http' },
              { name: 'query', port: JAEGER_QUERY_PORT, targetPort: 'query' },
            ],
          },
        },
      ],
    });
  }
}
