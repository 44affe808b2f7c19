// A console user in tests: logs in through the real form, keeps the cookies,
// and posts forms with the CSRF token the page rendered.
import { SELF } from 'cloudflare:test';
import { ADMIN_TOKEN } from '../../helpers';

export const BASE = 'https://deflect.test';

function cookiesFrom(response: Response): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [name, ...value] = pair!.split('=');
    jar[name!.trim()] = value.join('=');
  }
  return jar;
}

export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1]!;
}

export async function fetchConsole(path: string, init: RequestInit & { cookies?: Record<string, string> } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookies = Object.entries(init.cookies ?? {}).map(([k, v]) => `${k}=${v}`);
  if (cookies.length) headers.set('cookie', cookies.join('; '));
  return SELF.fetch(`${BASE}${path}`, { redirect: 'manual', ...init, headers });
}

export function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export class ConsoleUser {
  private constructor(readonly cookies: Record<string, string>) {}

  static async login(name = 'Grace', token = ADMIN_TOKEN): Promise<ConsoleUser> {
    const page = await fetchConsole('/console/login');
    const loginCookies = cookiesFrom(page);
    const response = await fetchConsole('/console/login', { ...form({ _csrf: csrfIn(await page.text()), token, name, next: '/console' }), cookies: loginCookies });
    if (response.status !== 303) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return new ConsoleUser(cookiesFrom(response));
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetchConsole(path, { cookies: this.cookies, headers });
  }

  async page(path: string): Promise<string> {
    const response = await this.get(path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.text();
  }

  /** Post a form the way the browser would: with the CSRF token from the page it came from. */
  async submit(fromPage: string, action: string, fields: Record<string, string>): Promise<Response> {
    const csrf = csrfIn(await this.page(fromPage));
    return fetchConsole(action, { ...form({ _csrf: csrf, ...fields }), cookies: this.cookies });
  }

  post(action: string, fields: Record<string, string>): Promise<Response> {
    return fetchConsole(action, { ...form(fields), cookies: this.cookies });
  }
}

export { cookiesFrom };
