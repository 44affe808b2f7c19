// The console's frame: navigation, styles and the one keyboard script (inline, nonce-allowed).
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { KEYS_SCRIPT } from './keys';

const STYLES = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2430;background:#f5f6f8}
header{background:#1f2430;color:#fff;padding:0 24px;display:flex;align-items:center;gap:24px;height:48px}
header .brand{font-weight:700;letter-spacing:.02em}
header nav a{color:#c9d1e0;text-decoration:none;margin-right:16px}
header nav a.active,header nav a:hover{color:#fff}
header form{margin-left:auto;display:flex;align-items:center;gap:8px}
main{padding:20px 24px;max-width:1280px}
h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 8px}
a{color:#2457c5}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e8}
th,td{padding:6px 8px;border-bottom:1px solid #e8ebf0;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600;font-size:12px;text-transform:uppercase;color:#5a6375}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e8ebf0}
.o-auto_reply{background:#d9f2e3;color:#155d33}.o-review{background:#fff1c7;color:#7a5400}
.o-escalate{background:#fde0dc;color:#8c1d10}.o-ignore{background:#e8ebf0;color:#4a5262}
.reason{display:inline-block;font:12px ui-monospace,monospace;background:#eef1f6;border-radius:3px;padding:0 4px;margin:1px}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px 16px;margin-bottom:16px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}.kv dt{color:#5a6375}.kv dd{margin:0}
pre{white-space:pre-wrap;word-break:break-word;background:#fbfbfc;border:1px solid #e8ebf0;padding:10px;margin:0;font:13px/1.45 ui-monospace,monospace}
form.filters{display:flex;gap:12px;align-items:end;flex-wrap:wrap;margin-bottom:12px}
label{display:flex;flex-direction:column;font-size:12px;color:#5a6375;gap:2px}
input,select,textarea{font:inherit;padding:5px 8px;border:1px solid #c5ccd8;border-radius:4px;background:#fff}
textarea{width:100%;min-height:180px}
button{font:inherit;padding:6px 14px;border-radius:4px;border:1px solid #2457c5;background:#2457c5;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2457c5}button.danger{background:#fff;color:#b3261e;border-color:#b3261e}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin-top:12px}.actions form{margin:0}
.notice{padding:8px 12px;border-radius:4px;background:#e6f0ff;border:1px solid #b8cff5;margin-bottom:12px}
.error{background:#fde0dc;border-color:#f2b8b0}
.muted{color:#7a8394}.big{font-size:28px;font-weight:700}
.login{max-width:360px;margin:80px auto}.login form{display:flex;flex-direction:column;gap:12px}
svg text{font:11px system-ui,sans-serif;fill:#5a6375}
.tabs{display:flex;gap:4px;margin:0 0 12px;flex-wrap:wrap}.tabs a{padding:4px 12px;border-radius:14px;text-decoration:none;background:#e8ebf0;color:#1f2430}
.tabs a.active{background:#1f2430;color:#fff}
.preview{color:#5a6375;font-size:12px;overflow:hidden;text-overflow:ellipsis;display:-webkit-box;-webkit-line-clamp:1;-webkit-box-orient:vertical}
tr.current td{background:#eef4ff}
.bulk{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:8px 0}
.pager{display:flex;justify-content:space-between;margin:12px 0}
kbd{font:11px ui-monospace,monospace;border:1px solid #c5ccd8;border-radius:3px;padding:0 4px;background:#fff}
@media (max-width:720px){
header{height:auto;flex-wrap:wrap;padding:8px 12px;gap:8px}header form{margin-left:0}
header nav{display:flex;flex-wrap:wrap;gap:4px 12px}header nav a{margin-right:0}
main{padding:12px}
table{display:block;overflow-x:auto}
.hide-narrow{display:none}
.grid{grid-template-columns:minmax(0,1fr)}.grid>*{min-width:0}
.kv{grid-template-columns:minmax(0,1fr)}.kv dd{margin-bottom:6px}
dd,td,h1,p,summary{overflow-wrap:anywhere}
form.filters label{flex:1 1 140px}form.filters input{max-width:100%}
}
`;

const NAV = [
  ['/console', 'Queue'],
  ['/console/insight', 'Insight'],
  ['/console/report', 'Report'],
  ['/console/modes', 'Modes'],
  ['/console/health', 'Health'],
  ['/console/export', 'Export'],
] as const;

export function Page(props: { title: string; nonce: string; active?: string; actor?: string; csrf?: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · deflect console`}</title>
        <style nonce={props.nonce}>{STYLES}</style>
      </head>
      <body>
        <header>
          <span class="brand">deflect</span>
          {props.actor ? (
            <nav>
              {NAV.map(([href, label]) => (
                <a href={href} class={props.active === href ? 'active' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          ) : null}
          {props.actor && props.csrf ? (
            <form method="post" action="/console/logout">
              <input type="hidden" name="_csrf" value={props.csrf} />
              <span class="muted">{props.actor} </span>
              <button class="secondary" type="submit">
                Log out
              </button>
            </form>
          ) : null}
        </header>
        <main>{props.children}</main>
        {props.actor ? <script nonce={props.nonce}>{raw(KEYS_SCRIPT)}</script> : null}
      </body>
    </html>
  );
}

/** Every POST form carries the session's CSRF token. */
export function CsrfForm(props: { action: string; csrf: string; children?: Child; class?: string }) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <input type="hidden" name="_csrf" value={props.csrf} />
      {props.children}
    </form>
  );
}

/** A table body that says so when there is nothing to list. */
export function Rows<T>(props: { items: T[]; columns: number; empty: string; row: (item: T) => Child }) {
  if (props.items.length === 0) {
    return (
      <tr>
        <td class="muted" colspan={props.columns}>
          {props.empty}
        </td>
      </tr>
    );
  }
  return <>{props.items.map(props.row)}</>;
}

export function OutcomeBadge(props: { outcome: string | null }) {
  return <span class={`badge o-${props.outcome ?? 'none'}`}>{props.outcome ?? 'pending'}</span>;
}

export function Reasons(props: { reasons: string[] }) {
  return (
    <>
      {props.reasons.map((r) => (
        <span class="reason">{r}</span>
      ))}
    </>
  );
}

export function age(ms: number, now: number): string {
  const minutes = Math.max(0, Math.round((now - ms) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}

export const percent = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`);
export const fixed = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const isoTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
