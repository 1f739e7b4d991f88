import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * What a new password must be, beyond the schema's 8 to 128 characters (NIST SP 800-63B §3.1.1.2:
 * at least 8 characters, checked against "passwords obtained from previous breach corpuses" and
 * "context-specific words such as the name of the service, the username"; no composition rules):
 *
 * - not one of the ~49,000 most common passwords (zxcvbn's list, bundled with the image);
 * - not a run such as `12345678`, `abcdefgh`, `87654321`, nor fewer than 4 different characters;
 * - not the account's email, its local part, the display name, or the service's name.
 *
 * Every check is linear in the password's length: a sign-up cannot make the API spend more time on
 * its password than on hashing it. (A full strength estimate such as zxcvbn's takes up to half a
 * second on crafted 32-character inputs, blocking the event loop.)
 */

const COMMON = new Set(dictionary['passwords-common'].map((p) => String(p).toLowerCase()));
const SERVICE_WORDS = ['cotalk', 'co-talk', 'co talk'];

/** Why `password` is refused for this account, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  account: { readonly email: string; readonly displayName?: string },
): string | undefined {
  const lower = password.normalize('NFKC').toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most commonly used passwords';
  const chars = [...lower];
  if (new Set(chars).size < 4) return 'must use at least 4 different characters';
  if (isRun(chars)) return 'must not be a sequence of consecutive characters';
  const email = account.email.toLowerCase();
  const context = [email, email.split('@')[0], account.displayName?.toLowerCase(), ...SERVICE_WORDS];
  if (context.some((word) => word !== undefined && word.length > 0 && lower === word))
    return 'must not be your email, your name or the name of the service';
  return undefined;
}

/** Every character one code point above (or every one below) the previous: 1234…, abcd…, 9876…. */
function isRun(chars: readonly string[]): boolean {
  const steps = new Set<number>();
  for (let i = 1; i < chars.length; i += 1) steps.add(chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!);
  return steps.size === 1 && (steps.has(1) || steps.has(-1));
}
