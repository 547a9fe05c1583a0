import type { Static } from 'typebox';
import type { MeBody } from '../schemas/me.ts';

/**
 * What the server writes into the dashboard page besides the assets: who the client is and the API's default range
 * right now. Every number on the page comes from the public API, never from here.
 */
export interface DashboardBoot {
  client: {
    id: string;
    name: string;
    domain: string | null;
    timezone: string;
    branding: { primaryColor: string; logoUrl: string | null };
  };
  /** The range the API uses without `from`/`to` (local dates, inclusive): its `to` is "today" for the presets. */
  defaultRange: { from: string; to: string };
  /** The data is generated demo data. */
  demo: boolean;
  /** A session cookie signed the visitor in (so a sign-out button makes sense); false on an open platform. */
  signedIn: boolean;
  /** "Signed in as …" (src/http/pages/who.ts). */
  who: string;
}

export const BOOT_ELEMENT_ID = 'dashboard-boot';

/** The settings pages there are, in the order of their navigation (`/settings/{page}`). */
export const SETTINGS_PAGES = ['account', 'people', 'clients', 'tokens', 'channels', 'outbox', 'reports', 'audit'] as const;
export type SettingsPageName = (typeof SETTINGS_PAGES)[number];
export const SETTINGS_TITLES: Record<SettingsPageName, string> = {
  account: 'Account', people: 'People', clients: 'Clients', tokens: 'Tokens', channels: 'Channels', outbox: 'Outbox', reports: 'Reports', audit: 'Audit log',
};
export const SETTINGS_BOOT_ID = 'settings-boot';

/** What the server writes into a settings page: which page, and who is asking (`GET /api/me`'s answer). */
export interface SettingsBoot {
  page: SettingsPageName;
  me: Static<typeof MeBody>;
  who: string;
  demo: boolean;
  signedIn: boolean;
}
