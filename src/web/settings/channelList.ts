import type { Static } from 'typebox';
import type { AttemptBody, ChannelBody, TestResultBody } from '../../http/schemas/channels.ts';
import { h } from '../app/dom.ts';
import { ApiFailure, call } from './api.ts';
import { when } from './format.ts';
import type { StatusLine } from './notice.ts';
import { confirmed } from './pages/page.ts';

export type Channel = Static<typeof ChannelBody>;
type Attempt = Static<typeof AttemptBody>;
type TestResult = Static<typeof TestResultBody>;

const KINDS: Record<string, string> = { email: 'Email', webhook: 'Webhook', slack: 'Slack' };
const codeOf = (a: { code: number | null; error: string | null }) => [a.code, a.error].filter((v) => v !== null).join(' ') || '—';

function where(channel: Channel): string {
  if (channel.kind !== 'email') return channel.urlHost ?? '—';
  return channel.toMembers ? "the client's people" : channel.addresses.join(', ');
}

/** Each channel with what it does, its buttons (send test, remove) and its last attempts. */
export function channelList(channels: Channel[], status: StatusLine, changed: () => void): HTMLElement {
  if (channels.length === 0) return h('p', { class: 'empty' }, 'No channel yet: alerts are only shown in the product.');
  return h('div', { class: 'channels' }, ...channels.map((channel) => card(channel, status, changed)));
}

function card(channel: Channel, status: StatusLine, changed: () => void): HTMLElement {
  const attempts = h('div', { class: 'attempts', 'data-state': 'loading' });
  const test = h('button', { type: 'button', 'aria-label': `Send test on ${channel.name}` }, 'Send test');
  const remove = h('button', { type: 'button', 'aria-label': `Remove ${channel.name}` }, 'Remove');
  const loadAttempts = () => call<Attempt[]>('GET', `/api/channels/${encodeURIComponent(channel.id)}/attempts?limit=5`).then((rows) => {
    attempts.replaceChildren(attemptTable(rows));
    attempts.dataset.state = 'ready';
  }, (error: unknown) => status.failed(error, 'see its attempts'));
  test.addEventListener('click', () => {
    test.disabled = true;
    attempts.dataset.state = 'loading';
    call<TestResult>('POST', `/api/channels/${encodeURIComponent(channel.id)}/test`).then((result) => {
      if (result.ok) status.ok(`Test sent on "${channel.name}" (${result.status === 'outbox-only' ? 'kept in the outbox: no SMTP' : codeOf(result)}).`);
      else status.failed(new ApiFailure(200, result.error ?? 'FAILED', `The test on "${channel.name}" failed: ${codeOf(result)}`), 'send a test');
      return loadAttempts();
    }, (error: unknown) => status.failed(error, 'send a test')).finally(() => (test.disabled = false));
  });
  remove.addEventListener('click', () => {
    if (!confirmed(`Remove the channel "${channel.name}"? Alerts stop going there at once.`)) return;
    call('DELETE', `/api/channels/${encodeURIComponent(channel.id)}`).then(() => {
      status.ok(`Removed "${channel.name}".`);
      changed();
    }, (error: unknown) => status.failed(error, 'remove this channel'));
  });
  void loadAttempts();
  return h('article', { class: 'channel panel', 'data-channel': channel.id, 'data-kind': channel.kind },
    h('h4', {}, channel.name, ' ', h('span', { class: 'badge' }, KINDS[channel.kind] ?? channel.kind), channel.enabled ? null : h('span', { class: 'badge' }, 'off')),
    h('dl', { class: 'facts-list' },
      h('dt', {}, 'To'), h('dd', { class: 'channel-to' }, where(channel)),
      h('dt', {}, 'Clients'), h('dd', {}, channel.clientIds === null ? 'every client' : channel.clientIds.join(', ')),
      h('dt', {}, 'When'), h('dd', {}, channel.kinds.map((k) => k.replace('alert-', 'alert ')).join(', ') || 'tests only'),
    ),
    h('div', { class: 'row-actions' }, test, remove),
    h('h5', {}, 'Recent attempts'), attempts,
  );
}

function attemptTable(rows: Attempt[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'Nothing sent yet.');
  return h('div', { class: 'table-scroll' }, h('table', { class: 'attempts-table' },
    h('thead', {}, h('tr', {}, ...['When', 'Notification', 'Try', 'Outcome', 'Code', 'Took'].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, ...rows.map((a) => h('tr', { 'data-status': a.status },
      h('td', {}, when(a.startedAt)), h('td', {}, h('code', {}, a.notificationKey)), h('td', {}, String(a.attempt)),
      h('td', { class: 'attempt-status' }, a.status), h('td', {}, codeOf(a)), h('td', {}, a.durationMs === null ? '—' : `${a.durationMs} ms`),
    ))),
  ));
}
