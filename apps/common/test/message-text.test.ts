import fc from 'fast-check';
import { messageTexts } from '../../test/support/message-texts';
import { checkMessageText, MESSAGE_TEXT_MAX_BYTES, MESSAGE_TEXT_MAX_CODE_POINTS } from '../src/message-text';

const reason = (text: string): string | null => {
  const verdict = checkMessageText(text);
  return verdict.ok ? null : verdict.reason;
};

describe('the message-text contract', () => {
  test.each([
    ['plain text', 'hello'],
    ['TAB, LF and CR', 'line one\nline two\r\n\tindented'],
    ['emoji pairs, joiners, combining marks', '😀 👩‍👩‍👧 e\u0301 한국어'],
    ['a zero-width space (not White_Space)', '\u200b'],
    ['4,000 code points', 'a'.repeat(MESSAGE_TEXT_MAX_CODE_POINTS)],
    ['12,000 bytes of 4-byte characters', '😀'.repeat(MESSAGE_TEXT_MAX_BYTES / 4)],
  ])('accepts %s', (_what, text) => {
    expect(reason(text)).toBeNull();
  });

  test.each([
    ['', /^is empty$/],
    ['a\u0000b', /NUL character \(U\+0000\) at index 1/],
    ['\ud83d', /unpaired surrogate U\+D83D at index 0/],
    ['x\ude00', /unpaired surrogate U\+DE00 at index 1/],
    ['\ude00\ud83d', /unpaired surrogate U\+DE00/],
    ['bell\u0007', /control character U\+0007/],
    ['del\u007f', /control character U\+007F/],
    ['next line\u0085', /control character U\+0085/],
    ['\uffff', /noncharacter U\+FFFF/],
    ['\ufdd0', /noncharacter U\+FDD0/],
    ['\u{1fffe}', /noncharacter U\+1FFFE/],
    [' \n\t\u3000\u00a0', /^is whitespace only$/],
  ])('refuses %#: %s', (text, why) => {
    expect(reason(text)).toMatch(why);
  });

  test('one code point or one byte over a limit', () => {
    expect(reason('a'.repeat(MESSAGE_TEXT_MAX_CODE_POINTS + 1))).toMatch(/4001 characters long; the limit is 4000/);
    expect(reason('😀'.repeat(MESSAGE_TEXT_MAX_BYTES / 4) + 'a')).toMatch(/12001 bytes of UTF-8; the limit is 12000/);
  });

  test('whatever it accepts survives UTF-8 unchanged, within both limits, with something visible', () => {
    fc.assert(
      fc.property(messageTexts, (text) => {
        if (reason(text) !== null) return;
        const bytes = Buffer.from(text, 'utf8');
        expect(bytes.toString('utf8')).toBe(text);
        expect(bytes.length).toBeLessThanOrEqual(MESSAGE_TEXT_MAX_BYTES);
        expect([...text].length).toBeLessThanOrEqual(MESSAGE_TEXT_MAX_CODE_POINTS);
        expect(text).not.toContain('\u0000');
        expect(text).toMatch(/[^\p{White_Space}]/u);
      }),
      { numRuns: 2000 },
    );
  });

  test('whatever does not survive UTF-8 unchanged is refused', () => {
    fc.assert(
      fc.property(messageTexts, (text) => {
        if (Buffer.from(text, 'utf8').toString('utf8') !== text) expect(reason(text)).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
