import { allowedOriginsEnvShape, EnvError, isOriginAllowed, loadEnv } from '../src';

const parse = (value: string) => loadEnv(allowedOriginsEnvShape, { ALLOWED_ORIGINS: value }).ALLOWED_ORIGINS;

describe('ALLOWED_ORIGINS', () => {
  test('parses a comma-separated list; default ports are the same origin as none', () => {
    const allowed = parse('https://chat.example.com, http://localhost:*,https://x.example:8443,https://y.example:443');
    expect(isOriginAllowed(allowed, 'https://chat.example.com')).toBe(true);
    expect(isOriginAllowed(allowed, 'https://chat.example.com:443')).toBe(true);
    expect(isOriginAllowed(allowed, 'https://y.example')).toBe(true);
    expect(isOriginAllowed(allowed, 'http://localhost:3000')).toBe(true);
    expect(isOriginAllowed(allowed, 'http://localhost')).toBe(true);
    expect(isOriginAllowed(allowed, 'https://x.example:8443')).toBe(true);
  });

  test('refuses another scheme, host, port, a suffix trick and malformed values', () => {
    const allowed = parse('https://chat.example.com,https://x.example:8443,http://localhost:*');
    for (const origin of [
      'http://chat.example.com',
      'https://chat.example.com.evil.example',
      'https://evilchat.example.com',
      'https://x.example',
      'https://x.example:8444',
      'https://localhost:3000',
      'null',
      'https://chat.example.com/',
      'http://localhost:*',
    ]) {
      expect({ origin, allowed: isOriginAllowed(allowed, origin) }).toEqual({ origin, allowed: false });
    }
  });

  test('is empty when unset: no browser origin at all', () => {
    expect(loadEnv(allowedOriginsEnvShape, {}).ALLOWED_ORIGINS).toEqual([]);
  });

  test('a bad entry stops start-up naming the variable and the entry', () => {
    expect(() => parse('https://chat.example.com,chat.example.com')).toThrow(EnvError);
    expect(() => parse('https://chat.example.com/app')).toThrow(
      /ALLOWED_ORIGINS: "https:\/\/chat.example.com\/app" is not an origin; expected scheme:\/\/host\[:port\]/,
    );
  });
});
