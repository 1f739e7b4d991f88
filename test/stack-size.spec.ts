import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { PROFILE_NAMES } from '../lib/config';
import { stackSizeProblem } from './support/stack-size';
import { synthApp } from './support/synth-app';

/**
 * CloudFormation rejects a template over 500 resources or 1 MB, and Kubernetes manifests applied
 * through the cluster are inlined into templates: every stack keeps a margin below both.
 */
describe('stack size guard', () => {
  test.each(PROFILE_NAMES)('%s: every stack stays under 400 resources and 800 KB', (name) => {
    const synthesized = synthApp(name);
    expect(synthesized.allStacks.length).toBeGreaterThanOrEqual(2);
    const problems = synthesized.allStacks
      .map((stack) => stackSizeProblem(stack.stackName, synthesized.template(stack)))
      .filter((p) => p !== undefined);
    expect(problems).toEqual([]);
  });

  // The limits are lowered so the example stays small; the report is the same at full size.
  test('an oversized stack is reported with its largest constructs', () => {
    // Given a stack over the resource limit, most of it in one construct
    const app = new App({
      context: { 'aws:cdk:enable-path-metadata': true },
      builtinCloudFormationValidation: false,
    });
    const stack = new Stack(app, 'Big');
    const bulk = new Construct(stack, 'Bulk');
    for (let i = 0; i < 4; i++) new CfnWaitConditionHandle(bulk, `Handle${i}`);
    new CfnWaitConditionHandle(stack, 'Small');

    // When the guard checks it, Then it names the limit and the largest constructs, largest first
    expect(stackSizeProblem('Big', Template.fromStack(stack), { resources: 5, bytes: 800 * 1024 })).toMatch(
      /^Big: 5 resources \(limit 5\), \d+ KB \(limit 800 KB\); largest constructs: Big\/Bulk \(4 resources, \d+ KB\), Big\/Small \(1 resources/,
    );
  });

  test('a stack over the template size limit is reported too', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Wide');
    new CfnWaitConditionHandle(stack, 'Handle');
    expect(stackSizeProblem('Wide', Template.fromStack(stack), { resources: 400, bytes: 10 })).toMatch(
      /^Wide: 1 resources \(limit 400\), \d+ KB \(limit 0 KB\); largest constructs: Handle \(1 resources/,
    );
  });
});
