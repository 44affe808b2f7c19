// What a browser sees when a console action is refused: the reason in words, its
// machine-readable code, and a way back (no script or inline style, so the console's
// CSP needs no nonce for it).
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppError } from '../../errors';

export function consoleErrorPage(error: AppError): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Not done · deflect console</title></head>
  <body>
    <h1>Not done</h1>
    <p id="error-message">${error.message}</p>
    <p>Code: <code id="error-code">${error.code}</code> (HTTP ${error.status})</p>
    <p><a href="/console">Back to the console</a></p>
  </body>
</html>`;
}
