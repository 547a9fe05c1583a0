import { h } from '../../app/dom.ts';
import { call } from '../api.ts';
import { channelForm } from '../channelForm.ts';
import { channelList, type Channel } from '../channelList.ts';
import { StatusLine } from '../notice.ts';
import { Section, type PageContext } from './page.ts';

/** Channels: where alerts are delivered (email, signed webhooks, Slack), with a test button and the last attempts. */
export function channelsPage({ me }: PageContext): HTMLElement {
  const status = new StatusLine();
  const secretSlot = h('div', { class: 'secret-slot' });
  const add = new Section('new-channel', 'Add a channel',
    h('p', { class: 'lead-in' }, 'Alerts are sent on every channel that listens for their client. A failed delivery is retried with backoff; each attempt is listed below.'));
  const list = new Section('channels', 'Channels');
  const load = () => list.fill('see the channels', async () => [channelList(await call<Channel[]>('GET', '/api/channels'), status, () => void load())]);
  add.body.append(channelForm(me, secretSlot, () => void load()));
  void load();
  return h('div', { class: 'page' }, add.element, secretSlot, status.element, list.element);
}
