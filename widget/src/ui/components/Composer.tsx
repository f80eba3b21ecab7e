// The message box: multi-line, Enter sends, Shift+Enter adds a line, a draft kept per dialog.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { SendIcon } from '../icons.tsx';

export function Composer({ chat, dialogId }: { chat: Chat; dialogId: number }) {
  const [text, setText] = useState(() => chat.draft(dialogId));
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
    chat.setDraft(dialogId, value);
    chat.typing(dialogId, value.trim() !== '');
  };
  useEffect(() => () => chat.typing(dialogId, false), [chat, dialogId]);
  const submit = () => {
    if (chat.send(dialogId, text)) update('');
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
      <button type="submit" class="send" aria-label={t('send')} disabled={blocked || text.trim() === ''}>
        <SendIcon />
      </button>
    </form>
  );
}
