import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PROFILE_NAMES } from '../lib/config';
import { buildApp } from './support/synth-app';

/**
 * cdk-nag 3.x runs as a policy validation plugin on the whole app, so every stack the app
 * creates is checked, including stacks added later. A finding fails synth with a report naming
 * the rule and the construct path; acknowledgements live next to the construct they excuse.
 */
describe('cdk-nag AwsSolutions', () => {
  // The CDK's built-in CloudFormation validation runs here too, once per profile: `cdk synth`
  // leaves it off (scripts/cdk-app.js) to stay fast, so this is where npm run check and CI pay for it.
  test.each(PROFILE_NAMES)('%s: no unacknowledged finding and no template error in any stack', (name) => {
    // Given the profile's whole app with the AwsSolutions pack registered and validation on
    const { app } = buildApp(name, { validate: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // When it is synthesized, Then the pack reports nothing
    expect(() => app.synth()).not.toThrow();
  });

  test('the check is live: a finding in a stack added to the app fails synth and names the rule', () => {
    // Given the dev app plus a stack holding a bucket without access logs
    const { app } = buildApp('dev');
    const extra = new Stack(app, 'Extra');
    new s3.Bucket(extra, 'Bucket', { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // When it is synthesized, Then synth fails on the bucket
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  test('the template validation is live: an invalid property fails synth', () => {
    // Given the dev app, validation on, plus a stack holding a bucket with a misspelt property
    const { app } = buildApp('dev', { validate: true });
    new CfnResource(new Stack(app, 'Extra'), 'Bucket', {
      type: 'AWS::S3::Bucket',
      properties: { BucketNme: 'misspelt' },
    });

    // When it is synthesized, Then synth fails naming the property
    expect(() => app.synth()).toThrow(/BucketNme/);
  });
});
