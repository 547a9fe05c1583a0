import type { DashboardBoot } from '../../http/pages/boot.ts';
import { h } from './dom.ts';

/** Whose dashboard this is, on whose clock, who is looking, and the way back (or to the settings). */
export function renderHeader(boot: DashboardBoot): HTMLElement {
  const { client } = boot;
  const logo = client.branding.logoUrl ? h('img', { class: 'logo', src: client.branding.logoUrl, alt: `${client.name} logo`, height: 40 }) : null;
  const signOut = boot.signedIn
    ? h('form', { method: 'post', action: '/logout', class: 'sign-out' }, h('button', { type: 'submit' }, 'Sign out'))
    : null;
  return h(
    'div',
    { class: 'header-inner' },
    h('div', { class: 'identity' },
      logo,
      h('div', {},
        h('h1', {}, client.name),
        h('p', { class: 'meta' },
          client.domain ? `${client.domain} · ` : '',
          h('span', { class: 'timezone', 'data-timezone': client.timezone }, `All times in ${client.timezone}`),
          boot.demo ? h('span', { class: 'badge' }, 'Demo data') : null,
        ),
      ),
    ),
    h('nav', { 'aria-label': 'Site' },
      h('span', { class: 'signed-in' }, boot.who),
      h('a', { href: '/' }, 'All clients'),
      h('a', { href: '/settings/account' }, 'Settings'),
      signOut,
    ),
  );
}
