import '../app/styles.css';
import './settings.css';
import { SETTINGS_BOOT_ID, SETTINGS_TITLES, type SettingsBoot, type SettingsPageName } from '../../http/pages/boot.ts';
import { h } from '../app/dom.ts';
import { renderHeader, renderTabs } from './layout.ts';
import { accountPage } from './pages/account.ts';
import { auditPage } from './pages/audit.ts';
import { channelsPage } from './pages/channels.ts';
import { clientsPage } from './pages/clients.ts';
import { outboxPage } from './pages/outbox.ts';
import { reportsPage } from './pages/reports.ts';
import { peoplePage } from './pages/people.ts';
import { tokensPage } from './pages/tokens.ts';
import type { PageContext } from './pages/page.ts';

const boot = JSON.parse(document.getElementById(SETTINGS_BOOT_ID)!.textContent!) as SettingsBoot;

const PAGES: Record<SettingsPageName, (context: PageContext) => HTMLElement> = {
  account: accountPage, people: peoplePage, clients: clientsPage, tokens: tokensPage, channels: channelsPage, outbox: outboxPage, reports: reportsPage, audit: auditPage,
};

const context: PageContext = { me: boot.me, demo: boot.demo };
document.getElementById('site-header')!.replaceChildren(renderHeader(boot));
document.getElementById('settings')!.replaceChildren(
  renderTabs(boot),
  h('h2', { class: 'page-title' }, SETTINGS_TITLES[boot.page]),
  PAGES[boot.page](context),
);
