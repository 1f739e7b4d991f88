import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's IAM5 (wildcard) findings for `arn` followed by each of `suffixes`
 * (`/*`, `/index-*`...) in the policies under `scope`.
 *
 * The finding names the ARN as the template renders it; for a resource in another stack that is
 * a cross-stack reference, known only once references are resolved during synthesis. So the
 * acknowledgement is recorded from a validation hook, which runs after that resolution and
 * before cdk-nag checks the app.
 */
export function acknowledgeResourceWildcards(
  scope: IConstruct,
  arn: string,
  suffixes: readonly string[],
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      const rendered = JSON.stringify(Stack.of(scope).resolve(arn));
      const renderedArn = rendered.startsWith('"') ? (JSON.parse(rendered) as string) : rendered;
      Validations.of(scope).acknowledge(
        ...suffixes.map((suffix) => ({ id: `AwsSolutions-IAM5[Resource::${renderedArn}${suffix}]`, reason })),
      );
      return [];
    },
  });
}
