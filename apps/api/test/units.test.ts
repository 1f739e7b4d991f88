import { decodeCursor, encodeCursor } from '../src/cursor';
import { hashPassword, verifyPassword } from '../src/passwords';
import { searchBody } from '../src/message-search';
import { listMigrations } from '../src/migrate';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('password hashes', () => {
  it('verify the right password only, with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(first).not.toBe(second);
    await expect(verifyPassword('correct horse', first)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', first)).resolves.toBe(false);
    await expect(verifyPassword('x', 'md5$abc')).resolves.toBe(false);
  });
});

describe('history cursors', () => {
  it('round-trip the microsecond timestamp and id', () => {
    const cursor = encodeCursor('2026-11-25T10:00:00.123456Z', '0195f0a8-7b1c-7c3d-8e4f-123456789abc');
    expect(decodeCursor(cursor)).toEqual({
      createdAt: '2026-11-25T10:00:00.123456Z',
      id: '0195f0a8-7b1c-7c3d-8e4f-123456789abc',
    });
  });

  it.each([
    '',
    'garbage',
    Buffer.from('["not a date","x"]').toString('base64url'),
    Buffer.from('{}').toString('base64url'),
    // Forgeries Date.parse accepts but PostgreSQL refuses, and ids PostgreSQL would refuse.
    Buffer.from('["2026-02-31T00:00:00Z","0195f0a8-7b1c-7c3d-8e4f-123456789abc"]').toString('base64url'),
    Buffer.from('["0000-01-01T00:00:00Z","0195f0a8-7b1c-7c3d-8e4f-123456789abc"]').toString('base64url'),
    Buffer.from('["2026-01-01","0195f0a8-7b1c-7c3d-8e4f-123456789abc"]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00Z","0195f0a8-7b1c-7c3d-8e4f-123456789ab\u0000"]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00Z","------------------------------------"]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00Z","0195f0a8-7b1c-7c3d-8e4f-123456789abc",1]').toString('base64url'),
  ])('reject %p naming the parameter', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow('querystring.before: is not a cursor returned by this API');
  });
});

describe('OpenSearch query', () => {
  it('matches all words and filters by room without scoring the filter', () => {
    expect(searchBody('hello world', ['r1', 'r2'], 5)).toEqual({
      size: 5,
      query: {
        bool: {
          must: [{ match: { content: { query: 'hello world', operator: 'and' } } }],
          filter: [{ terms: { roomId: ['r1', 'r2'] } }],
        },
      },
      sort: ['_score', { createdAt: 'desc' }],
    });
  });
});

describe('migration files', () => {
  it('are listed in order and misnamed files are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '002_b.sql'), '');
    writeFileSync(join(dir, '001_a.sql'), '');
    await expect(listMigrations(dir)).resolves.toEqual(['001_a.sql', '002_b.sql']);
    writeFileSync(join(dir, 'Bad Name.sql'), '');
    await expect(listMigrations(dir)).rejects.toThrow(
      'migration file "Bad Name.sql" must be named NNN_lower_snake_case.sql',
    );
  });

  it('contain the brief’s two indexes verbatim', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = join(__dirname, '../migrations');
    const all = (await listMigrations(dir)).map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
    expect(all).toContain(
      'CREATE INDEX idx_messages_room_time ON messages(chat_room_id, created_at DESC) INCLUDE (sender_id, content);',
    );
    expect(all).toContain('CREATE INDEX idx_friends_user_status ON friends(user_id, status) INCLUDE (friend_id);');
  });
});
