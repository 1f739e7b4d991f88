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

/** Looks up a shipped profile by name (as given with `-c env=NAME`) and validates it. */
export function loadProfile(name: unknown): Profile {
  const parsed = z.enum(PROFILE_NAMES).safeParse(name);
  if (!parsed.success) {
    throw new ProfileError(
      `Unknown profile ${JSON.stringify(name)} given with -c env=...: allowed values are ${PROFILE_NAMES.join(', ')}`,
    );
  }
  return validateProfile(PROFILES[parsed.data], parsed.data);
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(profile)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
