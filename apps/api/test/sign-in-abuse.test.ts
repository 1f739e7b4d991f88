import { randomUUID } from 'node:crypto';
import { startApi } from '../src/api';
import { clientBlock } from '../src/sign-in-throttle';
import { request, type HttpResponse } from '../../test/support/http';
import { apiTestEnv } from './test-env';
import { useTestApi } from './test-api';

/** Password policy, sign-in throttling with backoff, and equal cost for unknown and known emails. */
jest.setTimeout(90_000);

const PASSWORD = 'a sound pass phrase';

describe('sign-in abuse', () => {
  // Small limits and short locks; 127.0.0.1 is a trusted proxy, so each test sets the client
  // address it signs in from with X-Forwarded-For.
  const t = useTestApi({
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3',
    SIGN_IN_MAX_FAILURES_PER_IP: '6',
    SIGN_IN_LOCKOUT_BASE_SECONDS: '1',
    SIGN_IN_LOCKOUT_MAX_SECONDS: '60',
    API_TRUSTED_PROXIES: '127.0.0.1',
  });

  const base = (target = t.api): string => `http://127.0.0.1:${target.port}`;
  const randomIp = (): string => `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250)).join('.')}`;

  async function signUp(target = t.api): Promise<string> {
    const email = `user-${randomUUID()}@example.com`;
    const res = await request(base(target), {
      method: 'POST',
      url: '/v1/auth/sign-up',
      payload: { email, password: PASSWORD, displayName: 'user' },
    });
    expect(res.statusCode).toBe(201);
    return email;
  }

  const signIn = (email: string, password: string, ip: string, target = t.api): Promise<HttpResponse> =>
    request(base(target), {
      method: 'POST',
      url: '/v1/auth/sign-in',
      payload: { email, password },
      headers: { 'x-forwarded-for': ip },
    });

  describe('password policy', () => {
    it.each([
      ['12345678', 'is one of the most commonly used passwords'],
      ['Password1', 'is one of the most commonly used passwords'],
      ['qwertyuiop', 'is one of the most commonly used passwords'],
      ['abcdefghij', 'must not be a sequence of consecutive characters'],
      ['98765432', 'must not be a sequence of consecutive characters'],
      ['abababababab', 'must use at least 4 different characters'],
      ['sam@example.com', 'must not be your email, your name or the name of the service'],
      ['Samantha Jones', 'must not be your email, your name or the name of the service'],
    ])('refuses %p: %s', async (password, reason) => {
      const res = await request(base(), {
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: { email: 'sam@example.com', password, displayName: 'Samantha Jones' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bad_request', field: 'body.password', message: `body.password: ${reason}` });
    });

    it('accepts a pass phrase', async () => {
      await signUp();
    });
  });

  describe('throttling', () => {
    it('locks an account after its failures with doubling locks, from any address, and forgets them on success', async () => {
      const email = await signUp();
      // Given three failures, each from another address
      for (let i = 0; i < 3; i += 1) expect((await signIn(email, 'wrong guess!!', randomIp())).statusCode).toBe(401);
      // When a fourth fails, the account is locked for the base second
      expect((await signIn(email, 'wrong guess!!', randomIp())).statusCode).toBe(401);
      const locked = await signIn(email, PASSWORD, randomIp());
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBe('1');
      expect(locked.json()).toEqual({
        error: 'too_many_requests',
        message: 'too many failed sign-ins; try again in 1 s',
      });
      // Then the next failure after the lock doubles it
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await signIn(email, 'wrong guess!!', randomIp())).statusCode).toBe(401);
      const doubled = Number((await signIn(email, PASSWORD, randomIp())).headers['retry-after']);
      expect(doubled).toBeGreaterThanOrEqual(1);
      expect(doubled).toBeLessThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await signIn(email, PASSWORD, randomIp())).statusCode).toBe(429);
      // And once it has passed, the right password signs in and clears the count
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await signIn(email, PASSWORD, randomIp())).statusCode).toBe(200);
      expect((await signIn(email, 'wrong guess!!', randomIp())).statusCode).toBe(401);
      expect((await signIn(email, PASSWORD, randomIp())).statusCode).toBe(200);
    });

    it('locks an address guessing across many accounts, and only that address', async () => {
      const ip = randomIp();
      const email = await signUp();
      for (let i = 0; i < 7; i += 1)
        expect((await signIn(`nobody-${i}@example.com`, 'wrong guess!!', ip)).statusCode).toBe(401);
      // Even a right password from that address waits; from another address it goes through.
      expect((await signIn(email, PASSWORD, ip)).statusCode).toBe(429);
      expect((await signIn(email, PASSWORD, randomIp())).statusCode).toBe(200);
    });

    it('counts an IPv6 client by its /64', () => {
      expect(clientBlock('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
      expect(clientBlock('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
      expect(clientBlock('2001:db8::1')).toBe('2001:db8:0:0::/64');
      expect(clientBlock('::ffff:192.0.2.7')).toBe('192.0.2.7');
      expect(clientBlock('192.0.2.7')).toBe('192.0.2.7');
    });
  });

  it('takes as long for an unknown email as for a wrong password', async () => {
    // A second instance without throttling in the way, so every attempt reaches the password check.
    const open = await startApi(
      apiTestEnv(t.db.url, t.prefix, { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000', SIGN_IN_MAX_FAILURES_PER_IP: '1000' }),
    );
    try {
      const email = await signUp(open);
      const timed = async (address: string): Promise<number> => {
        const start = process.hrtime.bigint();
        expect((await signIn(address, 'wrong guess!!', randomIp(), open)).statusCode).toBe(401);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so load on the machine affects both alike.
      for (let i = 0; i < 15; i += 1) {
        known.push(await timed(email));
        unknown.push(await timed(`nobody-${randomUUID()}@example.com`));
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      // Without the dummy hash an unknown email answers in about a millisecond, a wrong password in
      // tens (scrypt): the medians would differ many times over.
      const ratio = median(unknown) / median(known);
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    } finally {
      await open.stop();
    }
  });
});
