import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TEST_ALERT_DESTINATIONS } from './alert-destinations';
import { createCoTalkStacks, type CoTalkStacks } from '../../lib/co-talk-app';
import { loadProfile, type Profile, type ProfileName } from '../../lib/config';
import cdkJson from '../../cdk.json';
import cdkContext from '../../cdk.context.json';

/** A shipped profile's app, built as `cdk synth` builds it. */
export interface ProfileApp {
  readonly profile: Profile;
  readonly app: App;
  readonly stacks: CoTalkStacks;
}

/** A profile's app shared by the tests of one file, with its templates. */
export interface SynthesizedProfile extends ProfileApp {
  /** Every stack in the app, whatever `createCoTalkStacks` adds later (nested stacks included). */
  readonly allStacks: readonly Stack[];
  /** The template of a stack; the app is synthesized once, on first use. */
  template(stack: Stack): Template;
}

/**
 * Builds the app of a shipped profile with the feature flags of `cdk.json` and the committed
 * context, as `cdk synth -c env=NAME` does.
 *
 * The CDK's built-in CloudFormation validation stays on for real synth (`npm run synth`), where
 * it catches deploy errors; here it is off because it costs about a second per template.
 */
export function buildProfileApp(name: ProfileName): ProfileApp {
  const app = new App({
    // Path metadata as the CLI turns it on, so reports can name constructs.
    context: { ...cdkJson.context, ...cdkContext, env: name, 'aws:cdk:enable-path-metadata': true },
    builtinCloudFormationValidation: false,
  });
  const profile = loadProfile(name, TEST_ALERT_DESTINATIONS);
  return { profile, app, stacks: createCoTalkStacks(app, profile) };
}

const cache = new Map<ProfileName, SynthesizedProfile>();

/** {@link buildProfileApp}, once per profile and test file. */
export function synthProfile(name: ProfileName): SynthesizedProfile {
  const cached = cache.get(name);
  if (cached) return cached;

  const built = buildProfileApp(name);
  const templates = new Map<Stack, Template>();
  const synthesized: SynthesizedProfile = {
    ...built,
    allStacks: built.app.node.findAll().filter(Stack.isStack),
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
  };
  cache.set(name, synthesized);
  return synthesized;
}
