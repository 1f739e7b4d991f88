import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TEST_ALERT_DESTINATIONS } from './alert-destinations';
import { createCoTalkStacks, type CoTalkStacks } from '../../lib/co-talk-app';
import { type Profile, type ProfileName, loadProfile } from '../../lib/config';
import cdkJson from '../../cdk.json';
import cdkContext from '../../cdk.context.json';

/** A profile's app, built as `cdk synth` builds it. */
export interface ProfileApp {
  readonly profile: Profile;
  readonly app: App;
  readonly stacks: CoTalkStacks;
}

/** A profile's app shared by the tests of one file, with its templates. */
export interface SynthesizedApp extends ProfileApp {
  /** Every stack in the app, whatever `createCoTalkStacks` adds later (nested stacks included). */
  readonly allStacks: readonly Stack[];
  /** The template of a stack (by its name in {@link CoTalkStacks}, or the stack itself), made once. */
  template(stack: keyof CoTalkStacks | Stack): Template;
}

/** Options for {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Run the CDK's built-in CloudFormation validation when the app synthesizes, as `npm run check`
   * does once per profile (test/nag.test.ts). @default false: it costs about a second per template
   */
  readonly validate?: boolean;
}

/** A test's own variant of a profile gets the test destinations when it names none. */
function withAlerts(profile: Profile): Profile {
  const { alertEmails, alertHttpsEndpoints } = profile.observability;
  if (alertEmails.length + alertHttpsEndpoints.length > 0) return profile;
  const alerts = {
    alertEmails: [...(TEST_ALERT_DESTINATIONS.alertEmails ?? [])],
    alertHttpsEndpoints: [...(TEST_ALERT_DESTINATIONS.alertHttpsEndpoints ?? [])],
  };
  return { ...profile, observability: { ...profile.observability, ...alerts } };
}

/**
 * Builds the app of a shipped profile name or a validated profile with the feature flags of
 * `cdk.json` and the committed context, as `cdk synth -c env=NAME` does.
 */
export function buildApp(profileOrName: ProfileName | Profile, options: BuildAppOptions = {}): ProfileApp {
  const profile =
    typeof profileOrName === 'string' ? loadProfile(profileOrName, TEST_ALERT_DESTINATIONS) : withAlerts(profileOrName);
  const app = new App({
    // Path metadata as the CLI turns it on, so reports can name constructs.
    context: { ...cdkJson.context, ...cdkContext, env: profile.name, 'aws:cdk:enable-path-metadata': true },
    builtinCloudFormationValidation: options.validate ?? false,
  });
  return { profile, app, stacks: createCoTalkStacks(app, profile) };
}

const cache = new Map<string, SynthesizedApp>();

/** {@link buildApp}, once per profile and test file: synth is the slow part. */
export function synthApp(profileOrName: ProfileName | Profile): SynthesizedApp {
  const key = typeof profileOrName === 'string' ? profileOrName : JSON.stringify(profileOrName);
  const cached = cache.get(key);
  if (cached) return cached;

  const built = buildApp(profileOrName);
  const templates = new Map<Stack, Template>();
  const synthesized: SynthesizedApp = {
    ...built,
    allStacks: built.app.node.findAll().filter(Stack.isStack),
    template(stackOrName) {
      const stack = typeof stackOrName === 'string' ? built.stacks[stackOrName] : stackOrName;
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
  };
  cache.set(key, synthesized);
  return synthesized;
}
