// For the group tests: fresh people the test host site knows (named after their ids), their REST
// clients and sockets, and a group made the way a widget makes one.
import { expect } from 'vitest';
import type { Dialog, ServerFrame } from '../realtime/protocol.ts';
import type { Api, Env, TestWidget, WsClient } from '../testing/harness.ts';

let counter = 0;

export interface GroupKit {
  widget(): TestWidget;
  /** n people the host knows, each named "Name <id>". */
  people(n: number): string[];
  as(userId: string): Promise<Api>;
  /** An authenticated socket; with `resumeFrom`, resuming from that event. */
  tab(userId: string, resumeFrom?: number): Promise<WsClient>;
  /** A group of `owner` and `others`, created over REST; `admins` are promoted by the owner. */
  group(owner: string, others: string[], o?: { title?: string; admins?: string[] }): Promise<Dialog>;
  /**
   * The stream frames (those with an event_id) the socket got before a marker: a message `userId`
   * sends now. Live events wait until a resume's replay is out, so everything of the replay, and
   * everything published to the user before the marker, came before it.
   */
  streamUntilNow(t: WsClient, userId: string): Promise<ServerFrame[]>;
}

export function groupKit(env: Env, widgetIndex = 0): GroupKit {
  const widget = () => env.widgets[widgetIndex]!;
  const as = async (userId: string) => env.api(widget(), await widget().token(userId));
  return {
    widget,
    people(n) {
      return Array.from({ length: n }, () => {
        const id = `p${++counter}`;
        for (const w of env.widgets) w.host.users.set(id, { user_id: id, name: `Name ${id}` });
        return id;
      });
    },
    as,
    async tab(userId, resumeFrom) {
      if (resumeFrom === undefined) return env.ws(widget(), await widget().token(userId));
      const c = await env.ws(widget(), null);
      c.send({ type: 'auth', token: await widget().token(userId), resume_from: resumeFrom });
      await c.next('ready');
      return c;
    },
    async streamUntilNow(t, userId) {
      const [other] = this.people(1);
      const api = await as(userId);
      const { body: d } = await api.post('/dialogs', { user_id: other });
      const { body: marker } = await api.post(`/dialogs/${d.id}/messages`, { text: 'marker' });
      for (;;) {
        const f = await t.next('message.new');
        if (f.message.id === marker.id) break;
      }
      const at = t.frames.findIndex((f) => f.type === 'message.new' && f.message.id === marker.id);
      return t.frames.slice(0, at).filter((f) => 'event_id' in f && !(f.type === 'dialog.updated' && f.dialog.id === d.id));
    },
    async group(owner, others, o = {}) {
      const api = await as(owner);
      const created = await api.post('/dialogs', { type: 'group', title: o.title ?? 'Team', user_ids: others });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      let dialog: Dialog = created.body;
      for (const admin of o.admins ?? []) {
        const promoted = await api.put(`/dialogs/${dialog.id}/members/${admin}/role`, { role: 'admin' });
        expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
        dialog = promoted.body;
      }
      return dialog;
    },
  };
}

/** The refusal a request must get: its status and error code (and a message matching `message`). */
export function expectError(res: { status: number; body: any }, status: number, code: string, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (message) expect(res.body.error.message).toMatch(message);
}

export const rolesOf = (d: Dialog) => Object.fromEntries(d.members_state.map((m) => [m.user_id, m.role]));
