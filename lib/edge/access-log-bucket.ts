import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props for {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Days the load balancers' access logs are kept. */
  readonly retentionDays: number;
  /**
   * Keep the bucket when the stack is deleted. When false (dev), the bucket and its logs are
   * deleted with the stack.
   */
  readonly retain: boolean;
}

/**
 * Where the ALB and the NLB write their access logs: private, TLS-only, encrypted, and expiring.
 *
 * SSE-S3 rather than a KMS key: ALB access logs can only be delivered to SSE-S3 buckets.
 */
export class AccessLogBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retain,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the load balancers access logs; logging access to it would need a log bucket of its own, endlessly',
    });
  }
}
