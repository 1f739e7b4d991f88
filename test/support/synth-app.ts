import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TEST_ALERT_DESTINATIONS } from './alert-destinations';
import { createCoTalkStacks, type CoTalkStacks } from '../../lib/co-talk-app';
import { type Profile, type ProfileName, loadProfile } from '../../lib/config';

/** The app of one profile, built once per test file: synth is the slow part. */
export interface SynthesizedApp {
  readonly profile: Profile;
  readonly stacks: CoTalkStacks;
  readonly template: (stack: keyof CoTalkStacks) => Template;
}

const cache = new Map<string, SynthesizedApp>();
/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

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

/** Builds (or reuses) the whole app for a shipped profile name or a validated profile. */
export function synthApp(profileOrName: ProfileName | Profile): SynthesizedApp {
  const profile =
    typeof profileOrName === 'string' ? loadProfile(profileOrName, TEST_ALERT_DESTINATIONS) : withAlerts(profileOrName);
  const key = typeof profileOrName === 'string' ? profileOrName : JSON.stringify(profileOrName);
  const hit = cache.get(key);
  if (hit) return hit;
  // CloudFormation validation off, as in the other infra tests: it costs a second per template.
  const app = new App({ context, builtinCloudFormationValidation: false });
  const stacks = createCoTalkStacks(app, profile);
  const templates = new Map<keyof CoTalkStacks, Template>();
  const built: SynthesizedApp = {
    profile,
    stacks,
    template: (name) => {
      let t = templates.get(name);
      if (!t) {
        t = Template.fromStack(stacks[name]);
        templates.set(name, t);
      }
      return t;
    },
  };
  cache.set(key, built);
  return built;
}
