// The demo site's stylesheet, served at /site.css.
export const SITE_CSS = `*, *::before, *::after { box-sizing: border-box; }
:root {
  --bg: #f5f4f0; --card: #fff; --ink: #1d1b26; --muted: #6b6878; --line: #e6e3dc;
  --accent: #4f46e5; --accent-ink: #fff; --accent-soft: #eef0ff; --radius: 14px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg); line-height: 1.5;
}
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
main { flex: 1; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
:focus-visible { outline: 3px solid #a5b4fc; outline-offset: 2px; border-radius: 6px; }
.wrap { width: 100%; max-width: 1040px; margin: 0 auto; padding: 0 20px; }

.topbar { background: var(--card); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 10; }
.topbar-inner { display: flex; align-items: center; justify-content: space-between; gap: 16px; min-height: 60px; flex-wrap: wrap; }
.brand { font-weight: 700; font-size: 18px; color: var(--ink); letter-spacing: -.01em; }
.brand:hover { text-decoration: none; }
.brand-mark { color: var(--accent); }
.nav { display: flex; align-items: center; gap: 18px; min-width: 0; }
.nav > a, .nav button { color: var(--ink); font-size: 15px; }
.nav form { margin: 0; }
.me { display: inline-flex; align-items: center; gap: 8px; min-width: 0; }
.me-name { max-width: 180px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nav-messages { background: none; border: 0; padding: 0; font: inherit; cursor: pointer; display: inline-flex; align-items: center; gap: 6px; }
.count { display: inline-block; min-width: 20px; padding: 0 6px; border-radius: 999px; background: #e11d48; color: #fff; font-size: 12px; font-weight: 700; line-height: 20px; text-align: center; }
.count[hidden] { display: none; }
button.link { background: none; border: 0; padding: 0; font: inherit; color: var(--muted); cursor: pointer; }
button.link:hover { color: var(--ink); text-decoration: underline; }

.hero { padding: 40px 0 20px; }
.hero h1 { font-size: clamp(26px, 4vw, 36px); line-height: 1.15; margin: 0 0 10px; letter-spacing: -.02em; overflow-wrap: anywhere; }
.lead { color: var(--muted); font-size: 17px; max-width: 640px; margin: 0; }
.error { color: #b91c1c; background: #fef2f2; border: 1px solid #fecaca; padding: 10px 14px; border-radius: 10px; }

.grid { list-style: none; padding: 0; margin: 10px 0 40px; display: grid; gap: 14px; grid-template-columns: repeat(auto-fill, minmax(min(340px, 100%), 1fr)); }
/* A grid item is as wide as its longest unbreakable line unless told otherwise: a very long name
   would widen the whole page on a phone. */
.grid > li { min-width: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; display: flex; align-items: center; gap: 12px; box-shadow: 0 1px 2px rgba(20, 16, 40, .04); transition: box-shadow .15s, transform .15s; }
.card:hover { box-shadow: 0 6px 20px rgba(20, 16, 40, .08); transform: translateY(-1px); }
.card-link, .login-card { display: flex; align-items: center; gap: 12px; flex: 1; min-width: 0; color: inherit; margin: 0; }
.card-link:hover { text-decoration: none; }
.card-text { display: flex; flex-direction: column; min-width: 0; flex: 1; }
.name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.muted { color: var(--muted); font-size: 14px; }
.card-text .muted { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tag { font-size: 12px; font-weight: 600; color: var(--accent); background: var(--accent-soft); border-radius: 999px; padding: 3px 10px; }

.avatar { border-radius: 50%; flex: none; background: var(--line); }
.avatar-sm { width: 30px; height: 30px; }
.avatar-md { width: 48px; height: 48px; }
.avatar-lg { width: 112px; height: 112px; border: 5px solid var(--card); margin-top: -64px; box-shadow: 0 4px 14px rgba(20, 16, 40, .12); }

.btn { font: inherit; font-size: 14px; font-weight: 600; border-radius: 10px; padding: 8px 14px; border: 1px solid var(--line); background: var(--card); color: var(--ink); cursor: pointer; white-space: nowrap; }
.btn:hover { border-color: #cfcbe0; background: #faf9ff; }
.btn-ghost { color: var(--accent); border-color: transparent; background: var(--accent-soft); }
.btn-ghost:hover { background: #e2e5ff; border-color: transparent; }
.btn-primary { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); padding: 11px 22px; font-size: 15px; box-shadow: 0 4px 14px rgba(79, 70, 229, .25); }
.btn-primary:hover { background: #4338ca; border-color: #4338ca; }

.crumbs { margin: 24px 0 12px; font-size: 14px; }
.profile { background: var(--card); border: 1px solid var(--line); border-radius: 18px; overflow: hidden; margin-bottom: 40px; box-shadow: 0 1px 2px rgba(20, 16, 40, .04); }
.profile-banner { height: 140px; background: linear-gradient(120deg, hsl(var(--hue) 70% 78%), hsl(calc(var(--hue) + 50) 65% 62%)); }
.profile-body { padding: 0 28px 30px; display: flex; flex-direction: column; align-items: flex-start; }
.profile-name { font-size: clamp(24px, 4vw, 32px); line-height: 1.2; margin: 14px 0 2px; letter-spacing: -.02em; overflow-wrap: anywhere; }
.about { max-width: 620px; margin: 14px 0 22px; font-size: 16px; }
.note { color: var(--muted); background: var(--accent-soft); border-radius: 10px; padding: 10px 14px; margin: 0; }

.footer { color: var(--muted); font-size: 13px; padding-top: 16px; padding-bottom: 96px; border-top: 1px solid var(--line); }
.footer p { margin: 0; max-width: 720px; }

@media (max-width: 640px) {
  .grid { grid-template-columns: 1fr; }
  .me-name { display: none; }
  .nav { gap: 14px; }
  .hero { padding-top: 26px; }
  .profile-body { padding: 0 18px 24px; }
}
`;
