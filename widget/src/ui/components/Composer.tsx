// The message box: multi-line, Enter sends, Shift+Enter adds a line, a draft kept per dialog; files
// come by the paperclip, by pasting or by dropping (DropZone.tsx) into the tray above it, whose
// code loads on the first one. Sending waits for the files: Send is off while any is uploading.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MAX_TEXT_CHARS } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { ClipIcon, SendIcon } from '../icons.tsx';

export function Composer({ chat, dialogId }: { chat: Chat; dialogId: number }) {
  const full = chat.full();
  const [text, setText] = useState(() => full.draft(dialogId));
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const blocked = chat.session.fatal.value !== null;
  const part = full.files.part.value;
  // Read for the re-render: the tray's files decide whether Send is on.
  const tray = part?.uploads.tray(dialogId);
  const uploads = tray?.items.value ?? [];
  const busy = uploads.some((u) => u.status === 'queued' || u.status === 'uploading');
  const ready = uploads.some((u) => u.status === 'done');
  // Pointed at or tabbed to, the paperclip fetches the attach chunk, which asks the server which
  // files it takes: the picker usually offers just those by the click (a touch goes straight to it).
  const warm = () => void full.files.load().catch(() => {});

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    full.setDraft(dialogId, value);
    full.typing(dialogId, value.trim() !== '');
  };
  useEffect(() => () => full.typing(dialogId, false), [full, dialogId]);
  // The same draft typed in another tab comes here too (a person types in one tab at a time).
  const elsewhere = full.draftElsewhere.value;
  useEffect(() => {
    if (elsewhere && elsewhere.dialogId === dialogId) setText(elsewhere.text);
  }, [elsewhere, dialogId]);
  const edit = chat.view.edit.value;
  useEffect(() => {
    if (!edit || edit.dialogId !== dialogId) return;
    chat.view.edit.value = null;
    setText(edit.text);
    box.current?.focus();
  }, [edit, chat, dialogId]);
  // The server's limit, in characters after trimming, shown as it nears and enforced before sending.
  const length = [...text.trim()].length;
  const over = length > MAX_TEXT_CHARS;
  const near = length > MAX_TEXT_CHARS - 200;
  const limitId = `limit-${dialogId}`;
  const submit = () => {
    if (!over && !busy && full.send(dialogId, text, part?.uploads.ready(dialogId))) {
      update('');
      part?.uploads.sent(dialogId);
    }
    box.current?.focus();
  };

  return (
    <div class="compose">
      {part && <part.code.Tray uploads={part.uploads} dialogId={dialogId} />}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <button type="button" class="icon-btn attach" aria-label={t('attachFiles')} title={t('attachFiles')} disabled={blocked} onClick={() => picker.current?.click()} onPointerEnter={warm} onFocus={warm}>
          <ClipIcon />
        </button>
        <input
          ref={picker}
          type="file"
          accept={part?.uploads.accept.value}
          multiple
          hidden
          tabIndex={-1}
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = ''; // the same file can be picked again
            full.files.attach(dialogId, files);
            box.current?.focus();
          }}
        />
        <textarea
          ref={box}
          rows={1}
          dir="auto"
          aria-label={t('message')}
          aria-invalid={over}
          aria-describedby={near ? limitId : undefined}
          placeholder={t('placeholder')}
          value={text}
          disabled={blocked}
          onInput={(e) => update(e.currentTarget.value)}
          onPaste={(e) => {
            // Files (a screenshot, files copied in a file manager) join the tray; text pastes as text.
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            full.files.attach(dialogId, files);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {near && (
          <span id={limitId} class={`limit${over ? ' over' : ''}`} aria-live="polite">
            {over ? t('tooLongBy', { n: length - MAX_TEXT_CHARS }) : t('charsLeft', { n: MAX_TEXT_CHARS - length })}
          </span>
        )}
        <button
          type="submit"
          class="send"
          aria-label={t('send')}
          title={busy ? t('waitUploads') : undefined}
          disabled={blocked || over || busy || (length === 0 && !ready)}
        >
          <SendIcon />
        </button>
      </form>
    </div>
  );
}
