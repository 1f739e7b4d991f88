import { z } from 'zod';
import { dev } from './profiles/dev';
import { prod } from './profiles/prod';
import { scale } from './profiles/scale';
import { staging } from './profiles/staging';
import type { ProfileInput } from './profile-input';
import { PROFILE_NAMES, type Profile, type ProfileName, profileSchema } from './schema';

/** The shipped profiles, keyed by the name given with `-c env=NAME`. */
export const PROFILES: Readonly<Record<ProfileName, ProfileInput>> = { dev, staging, prod, scale };

/** A profile that fails validation; the message lists every offending field. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/**
 * Validates a profile and returns it typed, or throws one `ProfileError` naming every bad field
 * as `path.to.field: what is allowed`.
 */
export function validateProfile(input: unknown, label: string): Profile {
  const result = profileSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
  throw new ProfileError(`Invalid profile "${label}":\n${lines.join('\n')}`);
}

/** Deploy-time values that replace a profile's (from `-c alertEmails=...` / `-c alertHttpsEndpoints=...`). */
export interface ProfileOverrides {
  /** Replaces `observability.alertEmails`. */
  readonly alertEmails?: readonly string[];
  /** Replaces `observability.alertHttpsEndpoints`. */
  readonly alertHttpsEndpoints?: readonly string[];
}

/**
 * Looks up a shipped profile by name (as given with `-c env=NAME`), applies the deploy-time
 * overrides and validates the result.
 */
export function loadProfile(name: unknown, overrides: ProfileOverrides = {}): Profile {
  const parsed = z.enum(PROFILE_NAMES).safeParse(name);
  if (!parsed.success) {
    throw new ProfileError(
      `Unknown profile ${JSON.stringify(name)} given with -c env=...: allowed values are ${PROFILE_NAMES.join(', ')}`,
    );
  }
  const input = PROFILES[parsed.data];
  const observability = {
    ...input.observability,
    ...(overrides.alertEmails ? { alertEmails: [...overrides.alertEmails] } : {}),
    ...(overrides.alertHttpsEndpoints ? { alertHttpsEndpoints: [...overrides.alertHttpsEndpoints] } : {}),
  };
  return validateProfile({ ...input, observability }, parsed.data);
}

/**
 * Parses the deploy-time alert destinations from CDK context: comma-separated lists under
 * `alertEmails` and `alertHttpsEndpoints`. Anything but a string is refused with the key's name.
 */
export function overridesFromContext(context: (key: string) => unknown): ProfileOverrides {
  const list = (key: string): string[] | undefined => {
    const value = context(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw new ProfileError(`-c ${key}=...: expected a comma-separated list, got ${JSON.stringify(value)}`);
    }
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  };
  return { alertEmails: list('alertEmails'), alertHttpsEndpoints: list('alertHttpsEndpoints') };
}

/**
 * Past dev an alarm must reach a person: the profile (or the deploy) names at least one
 * destination. Checked where the alarm topic is built, so rendering the charts alone (which
 * send no alerts) does not need one.
 */
export function requireAlertDestination(profile: Profile): void {
  const { alertEmails, alertHttpsEndpoints } = profile.observability;
  if (profile.name === 'dev' || alertEmails.length + alertHttpsEndpoints.length > 0) return;
  throw new ProfileError(
    `Invalid profile "${profile.name}":\n  - observability.alertEmails: ${profile.name} must name an alert destination in ` +
      'observability.alertEmails and/or observability.alertHttpsEndpoints; pass it at deploy time with ' +
      '-c alertEmails=oncall@your-domain (comma-separated) or -c alertHttpsEndpoints=https://your-incident-tool/...',
  );
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(profile)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
