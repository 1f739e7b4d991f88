import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Lets `grantee` read `secret` (and decrypt it through Secrets Manager only), through the
 * grantee's own policy.
 *
 * `secret.grantRead()` would also add the grantee to the secret's key policy; when the grantee
 * lives in a stack that depends on the data stack (the cluster, observability), that reference
 * points back and makes a dependency cycle. The keys' policies delegate to IAM in the account,
 * so an identity policy is enough.
 */
export function grantSecretRead(secret: secretsmanager.ISecret, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secret.secretArn],
    }),
  );
  if (secret.encryptionKey) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(secret).region}.amazonaws.com` },
        },
      }),
    );
  }
}
