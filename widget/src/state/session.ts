// Who is signed in and how the link is doing: the current user, the token (and its refresh),
// the connection state and the error that stopped the chat, if any.
import { batch, signal } from '@preact/signals-core';
import type { User } from '@imbachat/server/protocol';
import type { ConnectionState, StateChange } from '../transport/connection.ts';
import { isToken, report } from '../report.ts';

/** Errors that stop the chat until the page does something (reload, a new token). */
export type FatalCode = 'token_expired' | 'token_invalid' | 'widget_not_found' | 'origin_not_allowed' | 'user_not_found' | 'user_switched' | 'too_many_connections';

export class SessionModel {
  readonly me = signal<User | null>(null);
  readonly link = signal<ConnectionState>('disconnected');
  /** Connecting again after a failed try or a drop (the connection says so; nothing is counted here). */
  readonly retrying = signal(false);
  readonly everConnected = signal(false);
  readonly fatal = signal<FatalCode | null>(null);
  #refreshing: Promise<string | null> | null = null;
  #currentToken: string;
  #getToken: (() => string | Promise<string>) | undefined;

  constructor(
    readonly userId: string,
    token: string,
    getToken?: () => string | Promise<string>,
  ) {
    this.#currentToken = token;
    this.#getToken = getToken;
  }

  linkChanged(change: StateChange): void {
    batch(() => {
      this.link.value = change.newState;
      this.retrying.value = change.retrying;
      if (change.newState === 'connected') this.everConnected.value = true;
    });
  }

  token(): string {
    return this.#currentToken;
  }

  setToken(token: string, getToken?: () => string | Promise<string>): void {
    this.#currentToken = token;
    if (getToken) this.#getToken = getToken;
  }

  /** Asks the page for a fresh token (one request at a time); null when it cannot give one. */
  refreshToken(): Promise<string | null> {
    const getToken = this.#getToken;
    if (!getToken) return Promise.resolve(null);
    this.#refreshing ??= (async () => {
      try {
        const token = await getToken();
        if (!isToken(token)) {
          report('getToken() must return the new token string (or a promise of it).');
          return null;
        }
        this.#currentToken = token.trim();
        return this.#currentToken;
      } catch (err) {
        report(`getToken() failed: ${String(err)}`);
        return null;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }
}

export function fatalFromCode(code: string): FatalCode {
  if (code === 'widget_not_found' || code === 'origin_not_allowed' || code === 'token_expired' || code === 'user_not_found' || code === 'too_many_connections') return code;
  return 'token_invalid';
}
