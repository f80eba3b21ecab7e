// The REST client: the endpoints the launcher uses, and call() for the others. A 401 token_expired asks the page for
// a fresh token once and repeats the request; every failure becomes an ApiError with a stable code.
import type { Dialog, ErrorBody, Page, User } from '@imbachat/server/protocol';

export class ApiError extends Error {
  constructor(
    /** The server's error code, or "network" when no answer came. */
    readonly code: string,
    readonly status: number,
    message: string,
    /** From a 429's Retry-After: how long the server asks us to wait before trying again. */
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RestOptions {
  /** …/api/v1/{dev_id} */
  baseUrl: string;
  token(): string;
  refreshToken(): Promise<string | null>;
  fetch?: typeof fetch;
}

export class RestClient {
  readonly #controller = new AbortController();

  readonly #opts: RestOptions;

  constructor(opts: RestOptions) {
    this.#opts = opts;
  }

  me(): Promise<User> {
    return this.#request('GET', '/me');
  }
  dialogs(cursor?: string | null, limit = 50): Promise<Page<Dialog>> {
    return this.#request('GET', `/dialogs${query({ cursor, limit })}`);
  }
  dialog(id: number): Promise<Dialog> {
    return this.call('GET', `/dialogs/${id}`);
  }

  /** Any endpoint (the conversations' own are in transport/talk.ts, loaded with them). */
  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#request(method, path, body);
  }

  /** Cancels requests in flight; used when the user switches. */
  abort(): void {
    this.#controller.abort();
  }

  async #request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const doFetch = this.#opts.fetch ?? globalThis.fetch.bind(globalThis);
    let res: Response;
    try {
      res = await doFetch(this.#opts.baseUrl + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.#opts.token()}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: this.#controller.signal,
        credentials: 'omit',
      });
    } catch (err) {
      throw new ApiError(this.#controller.signal.aborted ? 'aborted' : 'network', 0, String(err));
    }
    if (res.ok) return (await res.json()) as T;
    let code = 'http_' + res.status;
    let message = res.statusText;
    try {
      const data = (await res.json()) as ErrorBody;
      code = data.error.code;
      message = data.error.message;
    } catch {
      // not our error body (a proxy, a 502 page)
    }
    if (res.status === 401 && code === 'token_expired' && !retried) {
      const token = await this.#opts.refreshToken();
      if (token !== null) return this.#request(method, path, body, true);
    }
    throw new ApiError(code, res.status, message, (Number(res.headers.get('Retry-After')) || 0) * 1000);
  }
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
