// The demo site's HTML: layout, login, members and profile pages, and the chat embed snippet.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { DemoUser } from './users.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface EmbedOptions {
  /** Where the browser loads the widget from: the chat server's public origin. */
  serverUrl: string;
  devId: string;
  user: DemoUser;
  /** A token signed for `user` by this site's backend. */
  token: string;
}

interface LayoutOptions {
  title: string;
  me: DemoUser | null;
  embed: EmbedOptions | null;
  body: Html;
}

/** JSON that is safe inside an inline <script>: no "</script>" or "<!--" can be formed. */
function scriptJson(value: unknown): HtmlEscapedString {
  return raw(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
}

export function avatarPath(user: DemoUser): string {
  return `/avatars/${user.id}.svg`;
}

function avatar(user: DemoUser, size: 'sm' | 'md' | 'lg'): Html {
  return html`<img class="avatar avatar-${size}" src="${avatarPath(user)}" alt="" width="128" height="128">`;
}

/**
 * The embed exactly as the product's docs describe it: the script tag, then ImbaChat.load called
 * as soon as window.ImbaChat exists, with a getToken that asks this site's backend for a fresh token.
 */
function embedSnippet(e: EmbedOptions): Html {
  const src = `${e.serverUrl.replace(/\/+$/, '')}/imbachat/v1/${encodeURIComponent(e.devId)}/widget`;
  return html`<script src="${src}" async></script>
<script>
  function imbachatWidget(opt) {
    if (!window.ImbaChat) return setTimeout(imbachatWidget, 50, opt);
    window.ImbaChat.load(opt);
  }
  imbachatWidget({
    user_id: ${scriptJson(e.user.id)},
    token: ${scriptJson(e.token)},
    lang: ${scriptJson(e.user.lang ?? 'en')},
    getToken: function () {
      return fetch('/api/token', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { if (!r.ok) throw new Error('token ' + r.status); return r.json(); })
        .then(function (j) { return j.token; });
    }
  });
</script>`;
}

export function layout(o: LayoutOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Corner Club</title>
<link rel="stylesheet" href="/site.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="topbar">
  <div class="wrap topbar-inner">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">◐</span> Corner Club</a>
    ${o.me
      ? html`<nav class="nav" aria-label="Main">
      <a href="/">Members</a>
      <button type="button" class="nav-messages" data-open-dialog="">Messages <span class="count" data-unread hidden></span></button>
      <a class="me" href="/users/${o.me.id}" title="My profile">${avatar(o.me, 'sm')}<span class="me-name">${o.me.name}</span></a>
      <form method="post" action="/logout"><button type="submit" class="link">Log out</button></form>
    </nav>`
      : ''}
  </div>
</header>
<main class="wrap">
${o.body}
</main>
<footer class="wrap footer">
  <p>Corner Club is a demo host site for the ImbaChat widget: it signs chat tokens on its backend,
  answers the chat server's users-info requests, and embeds the chat with one script tag.</p>
</footer>
${o.embed ? embedSnippet(o.embed) : ''}
${o.me ? html`<script src="/site.js" defer></script>` : ''}
</body>
</html>`;
}

export function loginPage(users: readonly DemoUser[], error?: string): Html {
  return layout({
    title: 'Log in',
    me: null,
    embed: null,
    body: html`<section class="hero">
  <h1>Who are you today?</h1>
  <p class="lead">Pick a member to log in as. Open a second browser (or a private window) and log in
  as someone else to chat between the two.</p>
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
</section>
<ul class="grid" aria-label="Members">
${users.map(
  (u) => html`<li class="card">
    <form method="post" action="/login" class="login-card">
      <input type="hidden" name="user_id" value="${u.id}">
      ${avatar(u, 'md')}
      <div class="card-text">
        <strong class="name"><bdi>${u.name}</bdi></strong>
        <span class="muted"><bdi>${u.headline}</bdi> · <bdi>${u.city}</bdi></span>
      </div>
      <button type="submit" class="btn" aria-label="Log in as ${u.name}">Log in</button>
    </form>
  </li>`,
)}
</ul>`,
  });
}

export function membersPage(me: DemoUser, users: readonly DemoUser[], embed: EmbedOptions): Html {
  return layout({
    title: 'Members',
    me,
    embed,
    body: html`<section class="hero">
  <h1>Hello, <bdi>${me.name}</bdi></h1>
  <p class="lead">These are the club's members. Open a profile, or write to someone straight away:
  the chat opens in the corner of the page and follows you from page to page.</p>
</section>
<ul class="grid" aria-label="Members">
${users.map(
  (u) => html`<li class="card">
    <a class="card-link" href="/users/${u.id}">${avatar(u, 'md')}
      <span class="card-text"><strong class="name"><bdi>${u.name}</bdi></strong>
      <span class="muted"><bdi>${u.headline}</bdi> · <bdi>${u.city}</bdi></span></span></a>
    ${u.id === me.id
      ? html`<span class="tag">You</span>`
      : html`<button type="button" class="btn btn-ghost" data-open-dialog="${u.id}" aria-label="Write a message to ${u.name}">Message</button>`}
  </li>`,
)}
</ul>`,
  });
}

export function profilePage(me: DemoUser, user: DemoUser, embed: EmbedOptions): Html {
  const self = me.id === user.id;
  return layout({
    title: user.name,
    me,
    embed,
    body: html`<p class="crumbs"><a href="/">← All members</a></p>
<article class="profile">
  <div class="profile-banner" style="--hue:${user.hue ?? 220}" aria-hidden="true"></div>
  <div class="profile-body">
    ${avatar(user, 'lg')}
    <h1 class="profile-name"><bdi>${user.name}</bdi></h1>
    <p class="muted"><bdi>${user.headline}</bdi> · <bdi>${user.city}</bdi></p>
    <p class="about">${user.about}</p>
    ${self
      ? html`<p class="note">This is your profile. Other members see a “Write a message” button here.</p>`
      : html`<button type="button" class="btn btn-primary" data-open-dialog="${user.id}">Write a message</button>`}
  </div>
</article>`,
  });
}

export function notFoundPage(me: DemoUser | null, embed: EmbedOptions | null): Html {
  return layout({
    title: 'Not found',
    me,
    embed,
    body: html`<section class="hero"><h1>Nothing here</h1><p class="lead"><a href="/">Back to the members</a></p></section>`,
  });
}

export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#4f46e5"/><path d="M16 1a15 15 0 0 1 0 30z" fill="#a5b4fc"/></svg>`;

/** Page behaviour: "Write a message" buttons and the unread counter, both through window.imbaApi. */
export const SITE_JS = `// Calls the chat's page API once the widget has defined it.
(function () {
  function withApi(fn) {
    if (window.imbaApi) return fn(window.imbaApi);
    setTimeout(withApi, 50, fn);
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-open-dialog]');
    if (!button) return;
    var id = button.getAttribute('data-open-dialog');
    withApi(function (api) {
      if (id) api.openDialog(Number(id));
      else api.openDialog();
    });
  });
  withApi(function (api) {
    var counters = document.querySelectorAll('[data-unread]');
    function show(n) {
      n = Number(n) || 0;
      counters.forEach(function (el) { el.textContent = String(n); el.hidden = n === 0; });
    }
    function refresh() { Promise.resolve(api.countNewMessagesSum()).then(show, function () {}); }
    if (api.on) { api.on('unread', refresh); api.on('ready', refresh); }
    refresh();
  });
})();
`;
