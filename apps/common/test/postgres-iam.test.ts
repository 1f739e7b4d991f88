import { createPostgres, IAM_TOKEN_REUSE_MS, postgresOptionsFromEnv, RdsIamTokens } from '../src/postgres';
import { parsePostgresEnv, postgresEnvProblems } from './postgres-env';

const IAM = {
  DATABASE_HOST: 'writer.example',
  DATABASE_PORT: '5433',
  DATABASE_READER_HOSTS: 'r1.example,r2.example',
  DATABASE_USER: 'cotalk_api',
  DATABASE_IAM_AUTH: 'true',
  AWS_REGION: 'ap-northeast-2',
};

describe('RDS IAM authentication', () => {
  test('the production form: the app role, IAM tokens instead of a password, TLS implied', () => {
    const options = postgresOptionsFromEnv(parsePostgresEnv(IAM), 'test');
    expect(options).toMatchObject({
      writer: { hosts: ['writer.example'], port: 5433, user: 'cotalk_api' },
      reader: { hosts: ['r1.example', 'r2.example'], port: 5433, user: 'cotalk_api' },
      tls: true,
    });
    expect(options.password).toBeInstanceOf(RdsIamTokens);
    expect(options.password).toMatchObject({ user: 'cotalk_api', port: 5433, region: 'ap-northeast-2' });
  });

  test('a token is signed by the SDK signer for its host, port, user and region, valid 15 minutes', async () => {
    const saved = { ...process.env };
    // Static credentials: signing is local, no call to AWS.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example' });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const token = await new RdsIamTokens('cotalk_worker', 5433, 'ap-northeast-2').forHost('writer.example');
      const url = new URL(`https://${token}`);
      expect(url.host).toBe('writer.example:5433');
      expect(url.searchParams.get('Action')).toBe('connect');
      expect(url.searchParams.get('DBUser')).toBe('cotalk_worker');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        /^AKIDEXAMPLE\/\d{8}\/ap-northeast-2\/rds-db\/aws4_request$/,
      );
    } finally {
      process.env = saved;
    }
  });

  test('tokens are kept per host and signed again before the 15 minutes are out', async () => {
    let now = 0;
    const signed: string[] = [];
    const tokens = new RdsIamTokens(
      'cotalk_api',
      5433,
      'ap-northeast-2',
      async (host) => {
        signed.push(host);
        return `token-${host}-${signed.length}`;
      },
      () => now,
    );
    expect(await tokens.forHost('a')).toBe('token-a-1');
    expect(await tokens.forHost('b')).toBe('token-b-2');
    now = IAM_TOKEN_REUSE_MS - 1;
    expect(await tokens.forHost('a')).toBe('token-a-1');
    now = IAM_TOKEN_REUSE_MS;
    expect(await tokens.forHost('a')).toBe('token-a-3');
    expect(IAM_TOKEN_REUSE_MS).toBeLessThan(15 * 60_000);
  });

  test('a failed signing is not kept', async () => {
    let fail = true;
    const tokens = new RdsIamTokens('u', 5433, 'r', async () => {
      if (fail) throw new Error('no credentials');
      return 'ok';
    });
    await expect(tokens.forHost('a')).rejects.toThrow('no credentials');
    fail = false;
    await expect(tokens.forHost('a')).resolves.toBe('ok');
  });

  test('each connection asks for the token of the host it goes to', async () => {
    const options = postgresOptionsFromEnv(parsePostgresEnv(IAM), 'test');
    const asked: string[] = [];
    const iam = options.password as RdsIamTokens;
    jest.spyOn(iam, 'forHost').mockImplementation(async (host) => (asked.push(host), `t-${host}`));
    const postgres = createPostgres(options);
    try {
      const pool = postgres.reader as unknown as {
        Client: new (config: object) => { host: string; password: () => Promise<string> };
        options: object;
      };
      const clients = [new pool.Client(pool.options), new pool.Client(pool.options)];
      expect(await Promise.all(clients.map((c) => c.password()))).toEqual(['t-r1.example', 't-r2.example']);
      const writer = postgres.writer as unknown as typeof pool;
      expect(await new writer.Client(writer.options).password()).toBe('t-writer.example');
      expect(asked).toEqual(['r1.example', 'r2.example', 'writer.example']);
    } finally {
      await postgres.close();
    }
  });

  test('an incomplete or contradictory IAM setting names the variables', () => {
    expect(postgresEnvProblems({ DATABASE_URL: 'postgres://u@h/db', DATABASE_IAM_AUTH: 'true' })).toMatch(
      /DATABASE_IAM_AUTH: needs DATABASE_HOST[\s\S]*needs DATABASE_USER[\s\S]*needs AWS_REGION/,
    );
    expect(postgresEnvProblems({ ...IAM, DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:r:1:secret:x' })).toMatch(
      /DATABASE_IAM_AUTH and DATABASE_SECRET_ARN: set one, not both/,
    );
    expect(postgresEnvProblems({ ...IAM, DATABASE_PASSWORD: 'p' })).toMatch(/DATABASE_IAM_AUTH and DATABASE_PASSWORD/);
    expect(postgresEnvProblems({ ...IAM, DATABASE_TLS: 'disable' })).toMatch(
      /must not be disable with DATABASE_IAM_AUTH/,
    );
  });
});
