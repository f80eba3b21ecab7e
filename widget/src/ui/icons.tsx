// Inline stroke icons (no icon font, nothing to fetch). Decorative: hidden from assistive tech.

/** An icon drawn by one path on the 24×24 grid; `ring` puts a circle behind it (clock, alert). */
export const icon = (d: string, ring?: boolean) => () => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    {ring && <circle cx="12" cy="12" r="8.5" />}
    <path d={d} />
  </svg>
);

export const ChatIcon = icon('M21 12a8 8 0 0 1-11.8 7L4 20.5l1.5-4.7A8 8 0 1 1 21 12z');
export const CloseIcon = icon('M6 6l12 12M18 6L6 18');
export const BackIcon = icon('M15 18l-6-6 6-6');
export const SendIcon = icon('M5 12h13M13 6l6 6-6 6');
export const CheckIcon = icon('M5 12.5l4.5 4.5L19 7.5');
export const DoubleCheckIcon = icon('M2.5 12.5L7 17l9.5-9.5M11.5 16l1 1L22 7.5');
export const ClockIcon = icon('M12 7.5V12l3 2', true);
export const AlertIcon = icon('M12 7.5v5M12 16.3v.2', true);
export const SoundIcon = icon('M4 9.5h3.5L12 5.5v13l-4.5-4H4zM15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11');
export const BellIcon = icon('M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15zM10 20.5a2.2 2.2 0 0 0 4 0');
export const PlusIcon = icon('M12 5v14M5 12h14');
/** Three dots, drawn as zero-length round-capped strokes (the stroke width makes them round). */
export const MoreIcon = icon('M12 5.5v.01M12 12v.01M12 18.5v.01');
export const MutedIcon = icon('M4 9.5h3.5L12 5.5v13l-4.5-4H4zM16 9.5l5 5M21 9.5l-5 5');
export const ClipIcon = icon('M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5');
export const FileIcon = icon('M13.5 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8.5zM13.5 3v5.5H19');
export const DownloadIcon = icon('M12 4v11M7 10.5l5 5 5-5M5 20h14');
