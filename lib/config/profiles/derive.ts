import type { ProfileName } from '../schema';
import type { ProfileInput } from '../profile-input';

/**
 * What a profile changes in the one it derives from, at any depth: a value or an array replaces
 * the base's, an object merges into the base's object field by field.
 */
export type ProfileChanges<T> = {
  readonly [K in keyof T]?: NonNullable<T[K]> extends readonly unknown[]
    ? T[K]
    : NonNullable<T[K]> extends object
      ? ProfileChanges<NonNullable<T[K]>>
      : T[K];
};

/** Every derived profile names itself and its own account: those are never the base's. */
type DerivedProfileChanges = ProfileChanges<ProfileInput> & {
  readonly name: ProfileName;
  readonly env: { readonly account: string };
};

/**
 * A profile that is `base` but for `changes`, so that a profile file states only what differs
 * (and why) and a value shared by every profile is written once.
 */
export function deriveProfile(base: ProfileInput, changes: DerivedProfileChanges): ProfileInput {
  return merge(base, changes) as ProfileInput;
}

function merge(base: unknown, changes: unknown): unknown {
  if (changes === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(changes)) return changes;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) merged[key] = merge(base[key], value);
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
