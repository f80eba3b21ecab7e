// For the host API tests: widgets with host API keys, and a client that calls /host/v1 as a host backend.
import type { Env } from '../testing/harness.ts';
import { generateHostApiKey, hashHostApiKey } from '../widgets/service.ts';

export interface HostResult {
  status: number;
  body: any;
  headers: Headers;
}

export interface HostClient {
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HostResult>;
}

/** Gives the env's widget `index` a fresh host API key (the store keeps its hash) and answers the key. */
export async function giveHostKey(env: Env, index: number): Promise<string> {
  const key = generateHostApiKey();
  const widget = env.widgets[index]!;
  await env.server.store.updateWidget(widget.devId, { hostApiKeyHash: hashHostApiKey(key) }, Date.now());
  env.server.widgets.invalidate(widget.devId);
  return key;
}

/** Calls the host API of the widget `devId` with `authorization` (null: none). */
export function hostClient(env: Env, devId: string, authorization: string | null): HostClient {
  return {
    async call(method, path, body, headers = {}) {
      const h = new Headers(headers);
      if (authorization !== null) h.set('authorization', authorization);
      if (body !== undefined) h.set('content-type', 'application/json');
      const res = await fetch(`${env.server.url}/host/v1/${devId}${path}`, {
        method,
        headers: h,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}
