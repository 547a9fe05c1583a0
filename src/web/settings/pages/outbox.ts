import type { OutboxMessage } from '../../../notify/outbox.ts';
import { h } from '../../app/dom.ts';
import { call } from '../api.ts';
import { when } from '../format.ts';
import { Section, why, type PageContext } from './page.ts';

const STATUS: Record<OutboxMessage['status'], string> = { sent: 'Sent', failed: 'Failed', 'outbox-only': 'Kept here (not sent)' };

/**
 * The outbox: every email the platform sent or kept (alerts, reports, invitations), newest first, each opened in
 * place. Without SMTP (and always with demo data) this is where they can be read.
 */
export function outboxPage({ demo }: PageContext): HTMLElement {
  const list = new Section('outbox', 'Emails',
    demo ? why('Demo data: no email is ever sent; every alert and report the demo produces is kept here.') : null);
  let before: number | null = null;
  const more = h('button', { type: 'button', hidden: true }, 'Older emails');
  const rows = h('div', { class: 'outbox-messages' });
  const page = async () => {
    const answer = await call<{ messages: OutboxMessage[]; nextBefore: number | null }>('GET', `/api/outbox?limit=25${before ? `&before=${before}` : ''}`);
    rows.append(...answer.messages.map(message));
    before = answer.nextBefore;
    more.hidden = before === null;
    return answer.messages.length;
  };
  more.addEventListener('click', () => void page());
  void list.fill('read the outbox', async () => ((await page()) === 0 ? [h('p', { class: 'empty' }, 'No email yet.')] : [rows, more]));
  return h('div', { class: 'page' }, list.element);
}

function message(m: OutboxMessage): HTMLElement {
  const body = h('pre', { class: 'outbox-text' }, m.text);
  return h('details', { class: 'outbox-message', 'data-message': String(m.id), 'data-status': m.status },
    h('summary', {}, h('strong', { class: 'outbox-subject' }, m.subject), ' — ', h('span', { class: 'outbox-to' }, m.to), ' · ', when(m.createdAt), ' · ',
      h('span', { class: 'outbox-status' }, STATUS[m.status] ?? m.status), m.error ? ` (${m.error})` : ''),
    m.attachments.length > 0 ? h('p', { class: 'hint' }, `Attachments: ${m.attachments.map((a) => `${a.filename} (${Math.ceil(a.size / 1024)} KB)`).join(', ')}`) : null,
    m.linksRemoved ? h('p', { class: 'hint' }, 'A sign-in link was removed: the outbox never keeps one.') : null,
    body,
  );
}
