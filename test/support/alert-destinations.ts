import type { ProfileOverrides } from '../../lib/config';

/**
 * The alert destinations the tests synthesize every profile with, as a deployment passes them
 * (`-c alertEmails=...`): staging, prod and scale refuse to synthesize without one. Never
 * deployed; on the project's own domain (its label prefix), not a reserved one, which the
 * profile check refuses.
 */
export const TEST_ALERT_DESTINATIONS: ProfileOverrides = {
  alertEmails: ['oncall@co-talk.io'],
  alertHttpsEndpoints: ['https://alerts.co-talk.io/sns'],
};
