import { z } from 'zod';

/**
 * The one contract for a chat message's text, shared by the gateway (which refuses anything else
 * before its ack), the worker (which stores exactly what the gateway acked) and the database side.
 * Text that passes is stored byte-identical: nothing is normalised, trimmed or replaced.
 *
 * A text passes when it:
 * - is well-formed UTF-16: no unpaired surrogate (UTF-8, and so PostgreSQL, cannot hold one;
 *   encoding would silently turn it into U+FFFD);
 * - holds no NUL (PostgreSQL `text` cannot store U+0000), no other C0 control but TAB, LF and CR,
 *   no DEL, no C1 control (U+0080–U+009F) and no noncharacter (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF);
 * - has 1 to {@link MESSAGE_TEXT_MAX_CODE_POINTS} code points and at most
 *   {@link MESSAGE_TEXT_MAX_BYTES} bytes of UTF-8;
 * - is not whitespace only (Unicode White_Space).
 */

/** Longest text, in Unicode code points (what a person counts as characters, near enough). */
export const MESSAGE_TEXT_MAX_CODE_POINTS = 4000;
/** Longest text in UTF-8 bytes: 4,000 characters of most scripts, fewer of 4-byte ones (emoji). */
export const MESSAGE_TEXT_MAX_BYTES = 12_000;

/** Why a text was refused: says what and where, in words a client developer can act on. */
export type MessageTextVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: MessageTextVerdict = { ok: true };

/** Checks a text against the contract in one pass; never throws. */
export function checkMessageText(text: string): MessageTextVerdict {
  let codePoints = 0;
  let bytes = 0;
  let visible = false;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (cp > 0xdbff || next < 0xdc00 || next > 0xdfff) {
        return refuse(`has an unpaired surrogate U+${hex(cp)} at index ${i}`);
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
      i += 1;
    }
    codePoints += 1;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cp === 0) return refuse(`has a NUL character (U+0000) at index ${i}`);
    if ((cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f)) {
      return refuse(`has the control character U+${hex(cp)} at index ${i}`);
    }
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) {
      return refuse(`has the noncharacter U+${hex(cp)}`);
    }
    if (!visible && !isWhiteSpace(cp)) visible = true;
  }
  if (codePoints === 0) return refuse('is empty');
  if (codePoints > MESSAGE_TEXT_MAX_CODE_POINTS) {
    return refuse(`is ${codePoints} characters long; the limit is ${MESSAGE_TEXT_MAX_CODE_POINTS}`);
  }
  if (bytes > MESSAGE_TEXT_MAX_BYTES) {
    return refuse(`is ${bytes} bytes of UTF-8; the limit is ${MESSAGE_TEXT_MAX_BYTES}`);
  }
  if (!visible) return refuse('is whitespace only');
  return OK;
}

/** The contract as a zod schema, for the frame and stream schemas. */
export const messageTextSchema = z.string().superRefine((text, ctx) => {
  const verdict = checkMessageText(text);
  if (!verdict.ok) ctx.addIssue({ code: 'custom', message: verdict.reason });
});

/** Unicode White_Space (PropList.txt): the code points a text of only these shows nothing. */
function isWhiteSpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    cp === 0x20 ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

function refuse(reason: string): MessageTextVerdict {
  return { ok: false, reason };
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}
