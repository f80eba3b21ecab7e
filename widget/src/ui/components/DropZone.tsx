// Files dragged over an open dialog: the whole panel is the drop target, and a zone over it says
// so while they are over it; dropped files join the composer's tray.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';

const DRAG_EVENTS = ['dragenter', 'dragover', 'dragleave', 'drop'] as const;

export function DropZone({ onFiles }: { onFiles(files: File[]): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [over, setOver] = useState(false);
  const take = useRef(onFiles);
  take.current = onFiles;
  useEffect(() => {
    const panel = ref.current?.parentElement;
    if (!panel) return;
    // Entering a child leaves its parent: the zone goes once the drag has left them all.
    let depth = 0;
    const on = (e: DragEvent) => {
      const data = e.dataTransfer;
      if (!data?.types.includes('Files')) return;
      e.preventDefault(); // else the browser opens a dropped file in place of the page
      if (e.type === 'dragenter') depth++;
      else if (e.type === 'dragleave') depth = Math.max(0, depth - 1);
      else if (e.type === 'drop') {
        depth = 0;
        take.current([...data.files]);
      } else data.dropEffect = 'copy';
      setOver(depth > 0);
    };
    for (const type of DRAG_EVENTS) panel.addEventListener(type, on);
    return () => {
      for (const type of DRAG_EVENTS) panel.removeEventListener(type, on);
    };
  }, []);
  return (
    <div ref={ref} class={`drop${over ? ' on' : ''}`} aria-hidden="true">
      <span>{t('dropFiles')}</span>
    </div>
  );
}
