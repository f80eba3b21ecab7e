// The message box: multi-line, Enter sends, Shift+Enter adds a line, a draft kept per dialog.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MAX_TEXT_CHARS } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { SendIcon } from '../icons.tsx';

export function Composer({ chat, dialogId }: { chat: Chat; dialogId: number }) {
  const [text, setText] = useState(() => chat.full().draft(dialogId));
  const box = useRef<HTMLTextAreaElement>(null);
  const blocked = chat.session.fatal.value !== null;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    chat.full().setDraft(dialogId, value);
    chat.full().typing(dialogId, value.trim() !== '');
  };
  useEffect(() => () => chat.full().typing(dialogId, false), [chat, dialogId]);
  // The same draft typed in another tab comes here too (a person types in one tab at a time).
  const elsewhere = chat.full().draftElsewhere.value;
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
    if (!over && chat.full().send(dialogId, text)) update('');
    box.current?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
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
      <button type="submit" class="send" aria-label={t('send')} disabled={blocked || length === 0 || over}>
        <SendIcon />
      </button>
    </form>
  );
}
