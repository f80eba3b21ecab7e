// The dialog view's behaviour over time: the log's scroll position as messages come and go, and a
// re-render every minute for "last seen" texts.
import { useEffect, useLayoutEffect, useReducer, useRef } from 'preact/hooks';
import type { ChatMessage } from '../state/messages.ts';

/** Re-renders every minute while `on`, so "last seen 5 minutes ago" stays true. */
export function useMinuteTick(on: boolean): void {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(tick, 60_000);
    return () => clearInterval(timer);
  }, [on]);
}

/** How close to the top (in px) the reader scrolls before older messages load. */
const LOAD_OLDER_AT = 160;

/** Whether the reader is at the newest message (within 80 px of the bottom). */
const atEnd = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < 80;

/** Opens the log at the "New messages" line (or the newest message), keeps it pinned to the newest
 *  message unless the reader scrolled up, loads older pages when the reader nears the top, and keeps
 *  the reading position still when they are added above. */
export function useLogScroll(items: ChatMessage[], loadOlder: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  const prev = useRef<{ first?: string; last?: string; height: number; pinned: boolean; placed: boolean }>({ height: 0, pinned: true, placed: false });
  const first = items[0]?.key;
  const last = items[items.length - 1];
  const older = useRef(loadOlder);
  older.current = loadOlder;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = prev.current;
    if (!p.placed && items.some((m) => m.seq !== null)) {
      p.placed = true;
      const marker = el.querySelector('.new-marker');
      if (marker) {
        el.scrollTop += marker.getBoundingClientRect().top - el.getBoundingClientRect().top - 8;
        p.pinned = atEnd(el);
      } else el.scrollTop = el.scrollHeight;
    } else if (p.first !== undefined && first !== p.first && last?.key === p.last) {
      el.scrollTop += el.scrollHeight - p.height; // older page added on top
    } else if (p.pinned || (last && last.key !== p.last && last.status === 'pending')) {
      el.scrollTop = el.scrollHeight;
    }
    p.first = first;
    p.last = last?.key;
    p.height = el.scrollHeight;
  }, [first, last?.key, items.length]);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = prev.current;
    const onScroll = () => {
      p.pinned = atEnd(el);
      p.height = el.scrollHeight;
      if (p.placed && el.scrollTop < LOAD_OLDER_AT) older.current();
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);
  return ref;
}
