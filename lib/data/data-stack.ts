import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { Profile } from '../config';
import { logRetention } from '../shared/log-retention';
import { ChatDatabase } from './chat-database';
import { RedisClusters } from './redis-clusters';
import { SearchDomain } from './search-domain';
import { TokenSigningSecret } from './token-signing-secret';

/** Props for {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** The validated environment profile. */
  readonly profile: Profile;
  /** The network stack's VPC; the stores go into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** The one group the stores accept connections from (carried by the EKS nodes). */
  readonly workloadSecurityGroup: ec2.ISecurityGroup;
}

/**
 * The stateful tier: PostgreSQL, the three Redis clusters and OpenSearch. It is its own stack,
 * termination-protected outside dev, so the cluster can be replaced without touching data.
 */
export class DataStack extends Stack {
  /** PostgreSQL primary and read replicas. */
  public readonly database: ChatDatabase;
  /** The cache, pub/sub and streams Redis clusters. */
  public readonly redis: RedisClusters;
  /** The OpenSearch domain. */
  public readonly search: SearchDomain;
  /** The keys that sign (private, the api's) and verify (public) access tokens. */
  public readonly tokenSigning: TokenSigningSecret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: props.profile.protectData });
    const { profile, vpc, workloadSecurityGroup } = props;
    const retention = logRetention(profile.observability.logRetentionDays, 'observability.logRetentionDays');
    const protectData = profile.protectData;

    this.database = new ChatDatabase(this, 'ChatDatabase', {
      vpc,
      workloadSecurityGroup,
      database: profile.database,
      availabilityZones: profile.env.availabilityZones,
      logRetention: retention,
      protectData,
    });
    this.redis = new RedisClusters(this, 'RedisClusters', {
      vpc,
      workloadSecurityGroup,
      redis: profile.redis,
      environment: profile.name,
      logRetention: retention,
      protectData,
    });
    this.search = new SearchDomain(this, 'SearchDomain', {
      vpc,
      workloadSecurityGroup,
      search: profile.search,
      logRetention: retention,
      protectData,
    });
    this.tokenSigning = new TokenSigningSecret(this, 'TokenSigning', { protectData, logRetention: retention });

    this.addOutputs();
  }

  /** Endpoints, ports and secret ARNs for operators; other stacks use the typed properties. */
  private addOutputs(): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    const { database, redis, search } = this;

    output('DatabaseWriterEndpoint', database.writerEndpoint.hostname, 'PostgreSQL primary (writes)');
    output(
      'DatabaseReaderEndpoints',
      database.readerEndpoints.length > 0
        ? Fn.join(
            ',',
            database.readerEndpoints.map((e) => e.hostname),
          )
        : '-',
      'PostgreSQL read replicas, comma-separated (reads)',
    );
    output('DatabasePort', String(database.port), 'PostgreSQL port');
    output('DatabaseSecretArn', database.secret.secretArn, 'PostgreSQL master credentials');
    for (const [id, cluster] of [
      ['Cache', redis.cache],
      ['Pubsub', redis.pubsub],
      ['Streams', redis.streams],
    ] as const) {
      output(`Redis${id}Endpoint`, cluster.endpoint, `Redis ${id.toLowerCase()} endpoint`);
      output(`Redis${id}Port`, String(cluster.port), `Redis ${id.toLowerCase()} port`);
      for (const [app, user] of Object.entries(cluster.users)) {
        const App = app.charAt(0).toUpperCase() + app.slice(1);
        output(
          `Redis${id}${App}PasswordArn`,
          user.secret.secretArn,
          `Redis ${id.toLowerCase()}: password of ${user.userName}`,
        );
      }
    }
    output('SearchEndpoint', search.endpoint, 'OpenSearch VPC endpoint (HTTPS)');
    output('TokenSigningSecretArn', this.tokenSigning.secret.secretArn, 'Private ES256 key set of access tokens (api)');
    output('TokenPublicKeysSecretArn', this.tokenSigning.publicKeys.secretArn, 'Public ES256 keys of access tokens');
    output('SearchMasterUserSecretArn', search.masterUserSecret.secretArn, 'OpenSearch master user');
  }
}
