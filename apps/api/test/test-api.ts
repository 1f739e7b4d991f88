import { startApi, type Api } from '../src/api';
import { request, type HttpRequest, type HttpResponse } from '../../test/support/http';
import { type TestStores, useTestStores } from '../../test/support/test-stores';
import { apiTestEnv } from './test-env';

/** A suite's API on its own database and Redis key prefix; read its fields inside tests and hooks. */
export interface TestApi extends TestStores {
  readonly api: Api;
  /** A request to this API. */
  call(options: HttpRequest): Promise<HttpResponse>;
}

/**
 * Starts the API before the suite's tests (with `overrides` on {@link apiTestEnv}) on the suite's
 * test stores, and stops it before they are cleaned up. Call it at the top of a `describe`.
 */
export function useTestApi(overrides: Record<string, string> = {}): TestApi {
  let api: Api | undefined;
  const stores = useTestStores({ prefixPer: 'suite', stopWriters: async () => api?.stop() });
  beforeAll(async () => {
    api = await startApi(apiTestEnv(stores.db.url, stores.prefix, overrides));
  });
  const started = (): Api => {
    if (!api) throw new Error('the test API starts in beforeAll: read it inside a test or hook');
    return api;
  };
  // The stores' fields through the prototype, so they are read when used, not now.
  return Object.create(stores, {
    api: { get: started },
    call: { value: (options: HttpRequest) => request(`http://127.0.0.1:${started().port}`, options) },
  }) as TestApi;
}
