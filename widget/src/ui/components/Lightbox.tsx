// The image viewer: a modal dialog over the page, named by the image's file name, with the image
// as large as the screen allows, the message's other images by the arrow keys or buttons, a
// download link and Close. The focus goes into it, stays in it, and goes back to the image that
// opened it; Escape closes the viewer only, not the panel.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { BackIcon, CloseIcon, DownloadIcon, icon } from '../icons.tsx';

const NextIcon = icon('M9 18l6-6-6-6');

export function Lightbox({ chat, dialogId }: { chat: Chat; dialogId: number }) {
  const files = chat.full().files;
  const ref = useRef<HTMLDivElement>(null);
  const at = files.lightbox.value;
  const m = at ? chat.full().messages.thread(dialogId).items.value.find((x) => x.key === at.key) : undefined;
  const images = m?.attachments.filter((a) => a.kind === 'image') ?? [];
  const index = Math.min(at?.index ?? 0, images.length - 1);
  const a = images[index];

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const opener = (el.getRootNode() as ShadowRoot | Document).activeElement as HTMLElement | null;
    el.querySelector<HTMLElement>('.lb-close')?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  if (!at || !m || !a) return null;
  const href = files.href(a.url);
  const thumb = files.href(a.thumb_url);
  const titleId = `lb-title-${dialogId}`;
  const go = (step: number) => files.openImage(dialogId, at.key, (index + step + images.length) % images.length);
  const many = images.length > 1;

  const onKeyDown = (e: KeyboardEvent) => {
    const rtl = ref.current ? getComputedStyle(ref.current).direction === 'rtl' : false;
    if (e.key === 'Escape') files.closeImage();
    else if (many && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) go((e.key === 'ArrowRight') !== rtl ? 1 : -1);
    else if (e.key === 'Tab') return trapTab(e, ref.current);
    else return;
    // Handled here: the panel's own Escape (close the chat) must not run as well.
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div ref={ref} class="lightbox" role="dialog" aria-modal="true" aria-labelledby={titleId} onKeyDown={onKeyDown}>
      <div class="lb-bar">
        <h2 id={titleId} class="lb-title ellipsis" dir="auto" title={a.name}>
          {a.name}
        </h2>
        {many && <span class="lb-count">{t('imageCount', { i: index + 1, n: images.length })}</span>}
        {href && (
          <a class="lb-btn" href={href} download={a.name} aria-label={t('download', { name: a.name })} onClick={(e) => save(e, href, a.name)}>
            <DownloadIcon />
            <span class="lb-label">{t('downloadShort')}</span>
          </a>
        )}
        <button type="button" class="lb-btn lb-close" aria-label={t('close')} title={t('close')} onClick={() => files.closeImage()}>
          <CloseIcon />
        </button>
      </div>
      {/* A click beside the image closes, as in every viewer; the buttons say the same to the keyboard. */}
      <div class="lb-stage" onClick={(e) => e.target === e.currentTarget && files.closeImage()}>
        {href && (
          <img
            key={a.id}
            class="lb-img"
            src={href}
            alt={a.name}
            {...(a.width && a.height ? { width: a.width, height: a.height } : {})}
            style={thumb ? { backgroundImage: `url(${JSON.stringify(thumb)})` } : undefined}
            onError={() => files.stale(dialogId, m.key)}
          />
        )}
        {many && (
          <>
            <button type="button" class="lb-nav prev" aria-label={t('prevImage')} title={t('prevImage')} onClick={() => go(-1)}>
              <BackIcon />
            </button>
            <button type="button" class="lb-nav next" aria-label={t('nextImage')} title={t('nextImage')} onClick={() => go(1)}>
              <NextIcon />
            </button>
          </>
        )}
      </div>
    </div>
  );
}

/** Tab and Shift+Tab go round the viewer's own controls. */
function trapTab(e: KeyboardEvent, box: HTMLElement | null): void {
  if (!box) return;
  const stops = [...box.querySelectorAll<HTMLElement>('a[href], button')];
  const active = (box.getRootNode() as ShadowRoot).activeElement;
  const i = stops.indexOf(active as HTMLElement);
  const next = stops[(i + (e.shiftKey ? -1 : 1) + stops.length) % stops.length];
  e.preventDefault();
  next?.focus();
}

/**
 * An image is served inline, and a browser ignores `download` on a link to another origin (it
 * would open the image in place of the page): fetch it and save it under its name, or, where the
 * server does not let the page read it, open it in a new tab to be saved from there.
 */
function save(e: MouseEvent, href: string, name: string): void {
  if (new URL(href).origin === location.origin) return;
  e.preventDefault();
  fetch(href, { credentials: 'omit' })
    .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(String(res.status)))))
    .then(
      (blob) => {
        const url = URL.createObjectURL(blob);
        const link = document.createElement('a');
        link.href = url;
        link.download = name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 30_000);
      },
      () => window.open(href, '_blank', 'noopener'),
    );
}
