// A header menu: a button that opens a short list of actions (role "menu"). Up/Down move between
// them, Escape or Tab closes it (Escape gives the focus back to the button), as does a choice or a
// click elsewhere.
import { useEffect, useRef, useState } from 'preact/hooks';
import { MoreIcon } from '../icons.tsx';

export interface MenuItem {
  label: string;
  run(): void;
}

export function Menu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const close = (focus: boolean) => {
    setOpen(false);
    if (focus) button.current?.focus();
  };
  useEffect(() => {
    if (!open) return;
    list.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    // The page's document sees presses inside the widget too (composedPath reaches into it).
    const doc = button.current?.ownerDocument;
    const outside = (e: Event) => {
      if (!e.composedPath().some((n) => n === list.current || n === button.current)) setOpen(false);
    };
    doc?.addEventListener('pointerdown', outside);
    return () => doc?.removeEventListener('pointerdown', outside);
  }, [open]);
  const onKey = (e: KeyboardEvent) => {
    const all = [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const root = list.current?.getRootNode() as ShadowRoot | Document;
    const i = all.indexOf(root.activeElement as HTMLElement);
    const next = e.key === 'ArrowDown' ? all[(i + 1) % all.length] : e.key === 'ArrowUp' ? all[(i - 1 + all.length) % all.length] : undefined;
    if (next) {
      e.preventDefault();
      next.focus();
    } else if (e.key === 'Escape') {
      // Only the menu closes, not the panel.
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === 'Tab') close(false);
  };
  return (
    <span class="menu-wrap">
      <button ref={button} type="button" class="icon-btn" aria-label={label} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <MoreIcon />
      </button>
      {open && (
        <div ref={list} class="menu" role="menu" aria-label={label} onKeyDown={onKey}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              onClick={() => {
                close(true);
                item.run();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
