import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import type { ChatBackends } from '../../charts/backends';
import type { Profile } from '../config';
import type { DataStack } from '../data/data-stack';
import { AppImages } from './app-images';
import { ChatWorkloads } from './chat-workloads';

/** Props for {@link WorkloadsStack}. */
export interface WorkloadsStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /** The cluster the charts are applied to. */
  readonly cluster: eks.ICluster;
  /** The data stack: endpoints, ports and secrets the apps connect with. */
  readonly data: DataStack;
  /** The edge stack's target groups the gateway and Kong pods register in. */
  readonly targetGroups: { readonly gateway: elbv2.ITargetGroup; readonly kong: elbv2.ITargetGroup };
  /** The load balancer controller's Helm release (the `TargetGroupBinding` CRD). */
  readonly targetGroupBindingCrd: Construct;
  /** kube-prometheus-stack's Helm release (the ServiceMonitor and PrometheusRule CRDs). */
  readonly monitoringCrds: Construct;
}

/**
 * The chat workloads: the app images (built from `apps/`, pushed to ECR at deploy) and the cdk8s
 * charts that run them, applied through the cluster. Stateless and last in line: it reads the
 * other stacks' typed properties and nothing reads it.
 */
export class WorkloadsStack extends Stack {
  /** The app images. */
  public readonly images: AppImages;
  /** The charts and their manifest resources. */
  public readonly workloads: ChatWorkloads;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id, props);
    const { profile, data } = props;
    this.images = new AppImages(this, 'Images', { graviton: profile.cluster.graviton });
    this.workloads = new ChatWorkloads(this, 'ChatWorkloads', {
      profile,
      cluster: props.cluster,
      images: {
        gateway: AppImages.pinnedUri(this.images.gateway),
        api: AppImages.pinnedUri(this.images.api),
        worker: AppImages.pinnedUri(this.images.worker),
      },
      backends: chatBackends(profile, data, this.region),
      targetGroups: props.targetGroups,
      targetGroupBindingCrd: props.targetGroupBindingCrd,
      monitoringCrds: props.monitoringCrds,
    });
  }
}

/** The data stack's typed properties, as the charts take them. */
function chatBackends(profile: Profile, data: DataStack, region: string): ChatBackends {
  const { database, redis, search, tokenSigning } = data;
  const redisBackend = (cluster: DataStack['redis']['cache']) => ({
    host: cluster.endpoint,
    port: cluster.port,
    clusterMode: cluster.clusterMode,
    users: Object.fromEntries(
      Object.entries(cluster.users).map(([app, user]) => [
        app,
        { userName: user.userName, secretArn: user.secret.secretArn },
      ]),
    ),
  });
  return {
    region,
    database: {
      writerHost: database.writerEndpoint.hostname,
      readerHosts: database.readerEndpoints.map((endpoint) => endpoint.hostname),
      port: database.port,
      name: database.databaseName,
      users: database.appUsers,
      secretArn: database.secret.secretArn,
    },
    redis: {
      cache: redisBackend(redis.cache),
      pubsub: redisBackend(redis.pubsub),
      streams: redisBackend(redis.streams),
    },
    search: { host: search.endpoint, port: search.port },
    // One issuer per environment: a token from one environment is never valid in another.
    jwt: {
      issuer: `co-talk-${profile.name}`,
      signingKeysSecretArn: tokenSigning.secret.secretArn,
      publicKeysSecretArn: tokenSigning.publicKeys.secretArn,
    },
  };
}
