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
}

export const BOOT_ELEMENT_ID = 'dashboard-boot';
