import fc from 'fast-check';

/**
 * Message texts for property tests, drawn to hit every edge of the message-text contract: any
 * UTF-16 code unit (so unpaired surrogates), NUL and other controls, whitespace-only texts, the
 * length limits in code points and in bytes, alongside ordinary text in many scripts.
 */
const edgeCharacters = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u3000',
  '\ud83d', // a lone high surrogate
  '\ude00', // a lone low surrogate
  '\ud83d\ude00', // 😀, a pair
  '\ufeff',
  '\uffff',
  '\ufdd0',
  '\u{1fffe}',
  'é',
  'e\u0301',
  '한',
  '👩‍👩‍👧',
);

export const messageTexts: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: edgeCharacters, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u3000', '\u00a0'), maxLength: 8 }),
  // Around the limits: 4,000 code points, 12,000 bytes.
  fc.tuple(fc.constantFrom('a', 'é', '한', '😀'), fc.integer({ min: 2990, max: 4010 })).map(([c, n]) => c.repeat(n)),
);
