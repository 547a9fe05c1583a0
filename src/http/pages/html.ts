/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a script element: `<` is escaped so no value can close the element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export interface AppShell {
  title: string;
  /** The Vite entry's script and styles (assets.ts). */
  assets: { script: string; styles: string[] };
  /** The boot data's element id, and the data: what the server knows before the script runs. */
  bootId: string;
  boot: unknown;
  /** More head elements (already escaped), e.g. a theme colour. */
  head?: string;
  /** The body: a skip link, the header and the main element (already escaped). */
  body: string;
}

/** The document of a page the browser app builds (dashboard, overview, settings): head, assets and boot data. */
export function appShell(shell: AppShell): string {
  const styles = shell.assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${shell.head ?? ''}<link rel="icon" href="data:,">
<title>${escapeHtml(shell.title)} · Chatbot Analytics</title>
${styles}
<script type="module" src="${escapeHtml(shell.assets.script)}"></script>
<script type="application/json" id="${shell.bootId}">${scriptJson(shell.boot)}</script>
</head>
<body>
${shell.body}
</body>
</html>`;
}

/** A minimal, self-contained page (no external assets): sign-in and plain messages. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Chatbot Analytics</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f5f7; color: #1f2328; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 1px 4px #0002; width: min(26rem, 92vw); }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  label { display: block; font-weight: 600; margin-bottom: .25rem; }
  label + input, input + label { margin-top: .5rem; }
  details { margin-top: 1rem; }
  .button { display: inline-block; padding: .6rem 1.2rem; color: #fff; background: #1f6feb; border-radius: 6px; text-decoration: none; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit; border: 1px solid #8c959f; border-radius: 6px; }
  button { margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; color: #fff; background: #1f6feb; border: 0; border-radius: 6px; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  .error { color: #a40e26; background: #ffebe9; padding: .5rem .75rem; border-radius: 6px; }
  a { color: #0550ae; }
  .clients { list-style: none; padding: 0; }
  .clients li { padding: .6rem 0; border-bottom: 1px solid #d0d7de; }
  .clients small { color: #57606a; }
  .note { color: #57606a; margin: 0; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export interface LoginOptions {
  error?: string;
  /** Single sign-on is configured: offer it first. */
  sso?: { label: string; href: string } | null;
}

/** Sign-in: email and password; an API key still works (the legacy way), behind its own small form. */
export function loginPage(next: string, options: LoginOptions = {}): string {
  const hidden = `<input type="hidden" name="next" value="${escapeHtml(next)}">`;
  const sso = options.sso
    ? `<p><a class="button" href="${escapeHtml(options.sso.href)}?next=${encodeURIComponent(next)}">${escapeHtml(options.sso.label)}</a></p><p class="note">or with your email and password:</p>`
    : '';
  return page('Sign in', `<h1>Sign in</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
${sso}<form method="post" action="/login">
  ${hidden}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p><a href="/password-reset">Forgot your password?</a></p>
<details><summary>Sign in with an API key</summary>
<form method="post" action="/login">
  ${hidden}
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="off" required>
  <button type="submit">Sign in with the key</button>
</form>
</details>`);
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back</a></p>`);
}

export interface ClientLink {
  id: string;
  name: string;
  timezone: string;
}

export interface ClientListOptions {
  /** Grafana is configured: link each client's Grafana dashboard too. */
  grafana: boolean;
  /** Signed in with a session (an open platform has nothing to sign out of). */
  signedIn: boolean;
  /** Every client is served from generated demo data. */
  demo: boolean;
  /** "Signed in as …" (who.ts). */
  who: string;
}

/** The clients a signed-in person may open; each goes to its built-in dashboard. */
export function clientListPage(clients: ClientLink[], options: ClientListOptions): string {
  const items = clients
    .map((c) => {
      const id = encodeURIComponent(c.id);
      const grafana = options.grafana ? ` · <a href="/${id}/grafana">Grafana</a>` : '';
      return `<li><a href="/${id}/dashboard"><strong>${escapeHtml(c.name)}</strong></a><br>
  <small>${escapeHtml(c.timezone)}${grafana}</small></li>`;
    })
    .join('\n');
  const signOut = options.signedIn ? '<form method="post" action="/logout"><button type="submit">Sign out</button></form>' : '';
  const demo = options.demo ? '<p class="note">These clients show generated demo data, not real visitors.</p>' : '';
  return page('Clients', `<h1>Clients</h1>
<p class="note signed-in">${escapeHtml(options.who)} · <a href="/settings/account">Settings</a></p>
${demo}
<ul class="clients">${items || '<li>No client is visible to this key.</li>'}</ul>
${signOut}`);
}
