import { z } from 'zod';
import { EnvError, envBoolean, envPort, loadEnv } from '../src/env';
import { postgresEnvShape } from '../src/postgres';

describe('loadEnv', () => {
  const shape = { ...postgresEnvShape, PORT: envPort.default(8080), FLAG: envBoolean.default(false) };

  it('parses values and applies defaults', () => {
    const env = loadEnv(shape, { DATABASE_URL: 'postgres://u@h:5432/db', FLAG: 'true' });
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://u@h:5432/db',
      PORT: 8080,
      FLAG: true,
      DATABASE_POOL_MAX: 50,
    });
  });

  it('names a missing variable', () => {
    expect(() => loadEnv({ ...shape, A: z.string() }, {})).toThrow(/A: is required but not set/);
  });

  it('treats an empty value as unset', () => {
    expect(() => loadEnv({ ...shape, A: z.string() }, { A: '' })).toThrow(/A: is required/);
  });

  it('names every malformed variable with the reason', () => {
    let caught: unknown;
    try {
      loadEnv(shape, { DATABASE_URL: 'mysql://x', PORT: '70000', FLAG: 'yes', DATABASE_POOL_MAX: '51' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const problems = (caught as EnvError).problems.join('\n');
    expect(problems).toMatch(/DATABASE_URL: expected postgres:\/\//);
    expect(problems).toMatch(/PORT: /);
    expect(problems).toMatch(/FLAG: expected "true" or "false"/);
    expect(problems).toMatch(/DATABASE_POOL_MAX: /);
  });

  it('ignores variables the shape does not name', () => {
    expect(loadEnv({ A: z.string() }, { A: 'x', HOME: '/root' })).toEqual({ A: 'x' });
  });
});
