// In-process presence and typing state: maps with timers (the process's own unless `timers` says
// otherwise). One node only.
import { type TimerHandle, type Timers, realTimers } from '../util/timers.ts';
import type { PresenceStore, TypingStore } from './types.ts';

type Listener<A extends unknown[]> = (...args: A) => void;

function listeners<A extends unknown[]>() {
  const set = new Set<Listener<A>>();
  return {
    add(l: Listener<A>) {
      set.add(l);
      return () => void set.delete(l);
    },
    emit(...args: A) {
      for (const l of set) l(...args);
    },
    clear: () => set.clear(),
  };
}

const key = (...parts: Array<string | number>) => parts.join('\u0000');

export function createMemoryPresence(options: { graceMs: number; timers?: Timers }): PresenceStore {
  const timers = options.timers ?? realTimers;
  const connections = new Map<string, { widgetId: number; userId: string; ids: Set<string> }>();
  const grace = new Map<string, { widgetId: number; userId: string; timer: TimerHandle }>();
  const offline = listeners<[number, string]>();

  const goOffline = (k: string) => {
    const g = grace.get(k);
    if (!g) return;
    timers.clearTimeout(g.timer);
    grace.delete(k);
    offline.emit(g.widgetId, g.userId);
  };

  return {
    async connect(widgetId, userId, connectionId) {
      const k = key(widgetId, userId);
      let entry = connections.get(k);
      const lingering = grace.get(k);
      if (lingering) {
        timers.clearTimeout(lingering.timer);
        grace.delete(k);
      }
      const wasOffline = !entry && !lingering;
      if (!entry) connections.set(k, (entry = { widgetId, userId, ids: new Set() }));
      entry.ids.add(connectionId);
      return wasOffline;
    },
    async disconnect(widgetId, userId, connectionId) {
      const k = key(widgetId, userId);
      const entry = connections.get(k);
      if (!entry?.ids.delete(connectionId) || entry.ids.size > 0) return;
      connections.delete(k);
      const timer = timers.setTimeout(() => goOffline(k), options.graceMs);
      timer.unref();
      grace.set(k, { widgetId, userId, timer });
    },
    async onlineAmong(widgetId, userIds) {
      const out = new Set<string>();
      for (const id of userIds) {
        const k = key(widgetId, id);
        if (connections.has(k) || grace.has(k)) out.add(id);
      }
      return out;
    },
    async refresh() {},
    onOffline: offline.add,
    async flush() {
      for (const k of [...grace.keys()]) goOffline(k);
    },
    async close() {
      for (const g of grace.values()) timers.clearTimeout(g.timer);
      grace.clear();
      connections.clear();
      offline.clear();
    },
  };
}

export function createMemoryTyping(options: { timers?: Timers } = {}): TypingStore {
  const timers = options.timers ?? realTimers;
  const active = new Map<string, TimerHandle>();
  const expired = listeners<[number, number, string]>();
  return {
    async start(widgetId, dialogId, userId, ttlMs) {
      const k = key(widgetId, dialogId, userId);
      const current = active.get(k);
      if (current) timers.clearTimeout(current);
      const timer = timers.setTimeout(() => {
        active.delete(k);
        expired.emit(widgetId, dialogId, userId);
      }, ttlMs);
      timer.unref();
      active.set(k, timer);
      return current === undefined;
    },
    async stop(widgetId, dialogId, userId) {
      const k = key(widgetId, dialogId, userId);
      const current = active.get(k);
      if (current === undefined) return false;
      timers.clearTimeout(current);
      active.delete(k);
      return true;
    },
    onExpired: expired.add,
    async close() {
      for (const t of active.values()) timers.clearTimeout(t);
      active.clear();
      expired.clear();
    },
  };
}
