import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { repositoryPath } from '../shared/repository-path';

/**
 * How often the token keys rotate. Each rotation moves the api to a key every verifier has held for
 * one whole period (the key set's `next`), so the apps, which read the sets again every few
 * minutes, follow it; Kong reads them at start, so its pods must restart once between two
 * rotations (any deploy that touches Kong, or `kubectl rollout restart deployment/kong`).
 */
export const TOKEN_KEY_ROTATION = Duration.days(90);

/** Props for {@link TokenSigningSecret}. */
export interface TokenSigningSecretProps {
  /** Keep the secrets when the stack is deleted (outside dev). @default false */
  readonly protectData?: boolean;
  /** Days the rotation function's logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The ES256 keys of access tokens: `secret` holds the private key set the api signs with (nobody
 * else may read it), `publicKeys` the public halves the gateway and Kong verify with. No key is in
 * a template: the rotation function generates them, first when the schedule is created, then every
 * {@link TOKEN_KEY_ROTATION} (see `token-keys-rotation/index.js` for the key window). Both live in
 * the stateful stack: replacing the keys signs every user out, so they must outlive any cluster.
 */
export class TokenSigningSecret extends Construct {
  /** The private key set (`{"current","keys":[{"kid","privateKey"}]}`): the api's role only. */
  public readonly secret: secretsmanager.ISecret;
  /** The public key set (`{"keys":[{"kid","publicKey"}]}`), written by the rotation function. */
  public readonly publicKeys: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: TokenSigningSecretProps) {
    super(scope, id);
    const removalPolicy = props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // The construct id of the HS256 key this replaces: its content changes, its resource stays.
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Co-Talk: private ES256 key set that signs access tokens (the api only)',
      // A placeholder until the first rotation, which runs when the schedule is created.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' },
      removalPolicy,
    });
    const publicKeys = new secretsmanager.Secret(this, 'PublicKeys', {
      description: 'Co-Talk: public ES256 keys that verify access tokens (the gateway, Kong)',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' },
      removalPolicy,
    });
    Validations.of(publicKeys.node.defaultChild as Construct).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The public keys are written by the rotation of the private key set, in the same rotation',
    });

    const rotation = new lambda.Function(this, 'Rotation', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(repositoryPath('lib', 'data', 'token-keys-rotation')),
      description: 'Co-Talk: rotates the access token ES256 keys and publishes their public halves',
      timeout: Duration.minutes(1),
      environment: { PUBLIC_KEYS_SECRET_ARN: publicKeys.secretArn },
      logGroup: new logs.LogGroup(this, 'RotationLogs', { retention: props.logRetention, removalPolicy }),
    });
    publicKeys.grantWrite(rotation);
    secret.addRotationSchedule('RotationSchedule', {
      rotationLambda: rotation,
      automaticallyAfter: TOKEN_KEY_ROTATION,
    });
    Validations.of(rotation).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The standard policy for a Lambda function to write its own logs',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'secretsmanager:GetRandomPassword, which the CDK grants every rotation function, has no resource-level permissions; the function does not call it',
      },
    );
    // It calls Secrets Manager only, so it runs outside the VPC: no network path to any data store.
    this.secret = secret;
    this.publicKeys = publicKeys;
  }
}
