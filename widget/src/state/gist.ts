// A message in one line where its files cannot be drawn (the dialog list, a desktop notification):
// its text, else "Photo" / "3 photos" when it carries only images, else "📎 report.pdf".
import type { Attachment } from '@imbachat/server/protocol';
import { plural, t } from '../i18n/index.ts';

export function gist(m: { text: string; attachments?: readonly Attachment[] }): string {
  const files = m.attachments ?? [];
  if (m.text.trim() !== '' || files.length === 0) return m.text;
  const file = files.find((a) => a.kind !== 'image');
  if (file) return `📎 ${file.name}`;
  return files.length === 1 ? t('photo') : plural('photos', files.length);
}
