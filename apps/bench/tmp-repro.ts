import { startApi } from '../api/src/api';
import { createTestDatabase, testKeyPrefix } from '../test/support/databases';
import { apiTestEnv } from '../api/test/test-env';
import { createLogger } from '@co-talk/common';
(async () => {
  const db = await createTestDatabase();
  const env = apiTestEnv(db.url, testKeyPrefix(), { LOG_LEVEL: 'error' });
  const api = await startApi(env, createLogger({ service: 'api', level: 'error' }));
  const base = `http://127.0.0.1:${api.port}`;
  const su = await (await fetch(`${base}/v1/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pass', displayName: 'a' }) })).json() as any;
  await fetch(`${base}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${su.accessToken}` }, body: JSON.stringify({ name: 'r' }) });
  for (const u of process.argv.slice(2)) {
    const r = await fetch(`${base}${u}`, { headers: { authorization: `Bearer ${su.accessToken}` } });
    console.log(u, r.status, await r.text());
  }
  await api.stop(); await db.drop();
})();
