/**
 * A small HTTP client for tests, over real sockets (fetch) rather than in-process injection, so
 * the tests exercise the server as clients see it.
 */

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  /** An object is sent as JSON; a string is sent as it is. */
  readonly payload?: unknown;
  readonly headers?: Record<string, string>;
  /** Sent as a bearer token. */
  readonly token?: string;
}

/** Sends `request` to `baseUrl`. */
export async function request(baseUrl: string, req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let body: string | undefined;
  if (typeof req.payload === 'string') body = req.payload;
  else if (req.payload !== undefined) {
    body = JSON.stringify(req.payload);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${req.url}`, { method: req.method, headers, body });
  const text = await res.text();
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text,
    json: () => JSON.parse(text),
  };
}
