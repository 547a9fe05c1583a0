import { h } from '../app/dom.ts';
import { call, type Token } from './api.ts';
import { when } from './format.ts';
import type { StatusLine } from './notice.ts';
import { confirmed } from './pages/page.ts';

/** Whether a token still works, and if not why. */
function stateOf(token: Token): string {
  if (token.revokedAt) return 'Revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return 'Expired';
  return 'Active';
}

export interface TokenTableOptions {
  /** Show the kind and the client or owner (the tokens page; the account page lists one's own personal ones). */
  showOwner: boolean;
  status: StatusLine;
  /** After a revocation: list again. */
  changed: () => void;
}

/** Tokens as the API lists them (never a secret: the prefix recognises one), each revocable after a confirmation. */
export function tokenTable(tokens: Token[], options: TokenTableOptions): HTMLElement {
  if (tokens.length === 0) return h('p', { class: 'empty' }, 'No tokens yet.');
  const head = ['Name', ...(options.showOwner ? ['Kind', 'For'] : []), 'Prefix', 'Created', 'Last used', 'Expires', 'Status', ''];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'tokens' },
    h('thead', {}, h('tr', {}, ...head.map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, ...tokens.map((token) => row(token, options))),
  ));
}

function row(token: Token, options: TokenTableOptions): HTMLElement {
  const state = stateOf(token);
  const revoke = state === 'Revoked' ? null : h('button', { type: 'button', 'aria-label': `Revoke ${token.name}` }, 'Revoke');
  revoke?.addEventListener('click', () => {
    if (!confirmed(`Revoke the token "${token.name}" (${token.prefix}…)? Anything using it stops working at once.`)) return;
    revoke.disabled = true;
    call('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`).then(
      () => {
        options.status.ok(`Revoked "${token.name}": its next request is refused.`);
        options.changed();
      },
      (error: unknown) => {
        revoke.disabled = false;
        options.status.failed(error, 'revoke this token');
      },
    );
  });
  const owner = token.kind === 'service' ? token.clientId ?? '—' : token.ownerEmail ?? '—';
  return h('tr', { 'data-token': token.id, 'data-prefix': token.prefix, 'data-state': state.toLowerCase() },
    h('th', { scope: 'row' }, token.name),
    ...(options.showOwner ? [h('td', {}, token.kind === 'service' ? 'Service' : 'Personal'), h('td', {}, owner)] : []),
    h('td', {}, h('code', {}, `${token.prefix}…`)),
    h('td', {}, when(token.createdAt)),
    h('td', {}, when(token.lastUsedAt, 'never')),
    h('td', {}, when(token.expiresAt, 'never')),
    h('td', { class: 'token-state' }, state),
    h('td', {}, revoke),
  );
}
