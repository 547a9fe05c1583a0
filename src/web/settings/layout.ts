import { SETTINGS_PAGES, SETTINGS_TITLES, type SettingsBoot, type SettingsPageName } from '../../http/pages/boot.ts';
import { h } from '../app/dom.ts';
import type { Me } from './api.ts';

/** The settings pages `me` may use (each from `GET /api/me`'s `may`); the account page is everyone's. */
export function pagesFor(me: Me): SettingsPageName[] {
  const allowed: Record<SettingsPageName, boolean> = {
    account: true,
    people: me.may.managePeople,
    clients: me.may.manageClients,
    tokens: me.may.manageTokens,
    channels: me.may.manageChannels,
    outbox: me.may.readOutbox,
    reports: me.may.managePeople, // operators and admins: the people who run clients' reports
    audit: me.may.readAudit,
  };
  return SETTINGS_PAGES.filter((page) => allowed[page]);
}

/** The site header: where we are, who is signed in, the way back to the clients, and signing out. */
export function renderHeader(boot: SettingsBoot): HTMLElement {
  const signOut = boot.signedIn
    ? h('form', { method: 'post', action: '/logout', class: 'sign-out' }, h('button', { type: 'submit' }, 'Sign out'))
    : null;
  return h('div', { class: 'header-inner' },
    h('div', { class: 'identity' },
      h('div', {},
        h('h1', {}, 'Settings'),
        h('p', { class: 'meta' }, boot.demo ? h('span', { class: 'badge' }, 'Demo data') : null),
      ),
    ),
    h('nav', { 'aria-label': 'Site' },
      h('span', { class: 'signed-in' }, boot.who),
      h('a', { href: '/' }, 'All clients'),
      signOut,
    ),
  );
}

/** Tabs between the settings pages the principal may use. */
export function renderTabs(boot: SettingsBoot): HTMLElement {
  return h('nav', { class: 'settings-nav', 'aria-label': 'Settings' },
    h('ul', {}, ...pagesFor(boot.me).map((page) => h('li', {},
      h('a', { href: `/settings/${page}`, 'aria-current': page === boot.page ? 'page' : null }, SETTINGS_TITLES[page]),
    ))),
  );
}
