import { MarkScanner } from '../scanner';

const MARK = Buffer.from('"content":"t=');

function scanner(digits = true) {
  const found: number[] = [];
  return { scanner: new MarkScanner(digits ? MARK : Buffer.from('"joined"'), digits, (v) => found.push(v)), found };
}

const stream = Buffer.from(
  '[{"type":"message","message":{"content":"t=1234567890123","x":1}},' +
    '{"type":"message","message":{"content":"t=42","x":2}}]' +
    '[{"type":"joined","roomId":"r"},{"type":"message","message":{"content":"t=7"}}]',
);

test('finds every marker and its value in one chunk', () => {
  const { scanner: s, found } = scanner();
  s.scan(stream);
  expect(found).toEqual([1234567890123, 42, 7]);
});

test('finds each marker exactly once wherever the chunk boundaries fall', () => {
  for (let cut = 1; cut < stream.length; cut++) {
    for (const second of [cut + 1, cut + 5, cut + 40]) {
      const { scanner: s, found } = scanner();
      s.scan(stream.subarray(0, cut));
      s.scan(stream.subarray(cut, second));
      s.scan(stream.subarray(second));
      expect([cut, found]).toEqual([cut, [1234567890123, 42, 7]]);
    }
  }
});

test('one byte at a time, and markers without digits', () => {
  const values = scanner();
  const joins = scanner(false);
  for (let i = 0; i < stream.length; i++) {
    values.scanner.scan(stream.subarray(i, i + 1));
    joins.scanner.scan(stream.subarray(i, i + 1));
  }
  expect(values.found).toEqual([1234567890123, 42, 7]);
  expect(joins.found).toEqual([0]);
});
