// What the UI reads at the top: the current chat (one per signed-in user) and where to sit.
import { signal, type Signal } from '@preact/signals-core';
import type { Position } from '../api.ts';
import type { Chat } from '../state/chat.ts';

export interface AppModel {
  chat: Signal<Chat | null>;
  position: Signal<Position>;
}

export function createAppModel(): AppModel {
  return { chat: signal<Chat | null>(null), position: signal<Position>('bottom-right') };
}
