/**
 * A browser made of `fetch`: redirects followed by hand (each hop is a real HTTP request the test can look at), and
 * cookies kept per host and path, dropped when they expire, sent where they belong — enough for a sign-in that goes
 * through another site and back.
 */
interface StoredCookie {
  host: string;
  name: string;
  value: string;
  path: string;
  expires: number | null;
}

export interface Hop {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

export class CookieBrowser {
  private cookies: StoredCookie[] = [];

  /** Every request and its answer, in order. */
  readonly hops: Hop[] = [];

  cookieHeader(url: URL): string {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === null || c.expires > now);
    return this.cookies
      .filter((c) => c.host === url.host && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** The value of a cookie this browser holds for `url`'s host (any path). */
  cookie(url: string, name: string): string | undefined {
    const host = new URL(url).host;
    return this.cookies.find((c) => c.host === host && c.name === name)?.value;
  }

  setCookie(url: string, name: string, value: string, path = '/'): void {
    const host = new URL(url).host;
    this.cookies = this.cookies.filter((c) => !(c.host === host && c.name === name && c.path === path));
    this.cookies.push({ host, name, value, path, expires: null });
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expires: number | null = null;
      for (const attribute of attributes) {
        const [key, raw = ''] = attribute.split('=');
        const lower = key!.toLowerCase();
        if (lower === 'path') path = raw;
        if (lower === 'max-age') expires = Date.now() + Number(raw) * 1000;
        if (lower === 'expires' && expires === null) expires = Date.parse(raw);
      }
      this.cookies = this.cookies.filter((c) => !(c.host === url.host && c.name === name && c.path === path));
      if (expires === null || expires > Date.now()) this.cookies.push({ host: url.host, name, value, path, expires });
    }
  }

  /** One request, no redirect followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: 'manual',
    });
    this.store(target, response.headers);
    const location = response.headers.get('location');
    const hop = { url: target.href, status: response.status, location: location && new URL(location, target).href, body: await response.text() };
    this.hops.push(hop);
    return hop;
  }

  /** Follows redirects from `url` until an answer that is not one (or `stop` says so), returning that last hop. */
  async follow(url: string, stop: (url: URL) => boolean = () => false, init: Parameters<CookieBrowser['request']>[1] = {}): Promise<Hop> {
    let hop = await this.request(url, init);
    for (let i = 0; hop.location && [301, 302, 303, 307, 308].includes(hop.status); i++) {
      if (i > 20) throw new Error(`too many redirects from ${url}`);
      if (stop(new URL(hop.location))) return hop;
      hop = await this.request(hop.location);
    }
    return hop;
  }
}

/** The first form of an HTML page: its action (absolute) and its inputs' names and values. */
export function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/.exec(input[1]!)?.[1];
    if (name) fields[name] = /\bvalue="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
  }
  return { action: new URL(form[1]!.replace(/&amp;/g, '&'), base).href, fields };
}
