// Puts the widget on the page: one custom element with an open shadow root, so host styles stay
// out and ours stay in.
import { h, render } from 'preact';
import { App } from './App.tsx';
import type { AppModel } from './model.ts';
import baseCss from './styles/base.css?inline';
import { addStyles, styleRoot } from './sheets.ts';

export const HOST_TAG = 'imbachat-widget';

export function mount(app: AppModel, doc: Document = document): () => void {
  const host = doc.createElement(HOST_TAG);
  const shadow = host.attachShadow({ mode: 'open' });
  addStyles(baseCss);
  const unstyle = styleRoot(shadow);
  const root = doc.createElement('div');
  root.className = 'root';
  shadow.append(root);
  const attach = () => (doc.body ?? doc.documentElement).appendChild(host);
  if (doc.body) attach();
  else doc.addEventListener('DOMContentLoaded', attach, { once: true });
  render(h(App, { app }), root);
  return () => {
    render(null, root);
    unstyle();
    host.remove();
  };
}
