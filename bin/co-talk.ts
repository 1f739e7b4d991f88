#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadProfile, overridesFromContext } from '../lib/config';
import { createCoTalkStacks } from '../lib/co-talk-app';

// The one place configuration enters: `-c env=NAME` picks a profile (default dev), and
// `-c alertEmails=...` / `-c alertHttpsEndpoints=...` name who gets its alarms; a pipeline may set
// CO_TALK_ALERT_EMAILS / CO_TALK_ALERT_HTTPS_ENDPOINTS instead (from its variables).
const app = new App();
const fromEnvironment: Record<string, string | undefined> = {
  alertEmails: process.env.CO_TALK_ALERT_EMAILS || undefined,
  alertHttpsEndpoints: process.env.CO_TALK_ALERT_HTTPS_ENDPOINTS || undefined,
};
const profile = loadProfile(
  app.node.tryGetContext('env') ?? 'dev',
  overridesFromContext((key) => app.node.tryGetContext(key) ?? fromEnvironment[key]),
);
// `-c review=true`: a synthesis to read, not to deploy (the tools under tools/ set it), so the
// alert destination may be left out.
const review = [true, 'true'].includes(app.node.tryGetContext('review'));
createCoTalkStacks(app, profile, { review });
app.synth();
