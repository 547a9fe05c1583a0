import type { ClientLookup } from '../tenants/clientRegistry.ts';
import type { ClientDatabases } from '../tenants/clientDatabases.ts';
import type { LimitsConfig } from '../config/limits.ts';
import type { ResultCache } from '../cache/resultCache.ts';
import type { RollupReader } from '../rollups/rollupReader.ts';
import type { Access } from '../access/access.ts';
import type { Queryable } from '../db/queryable.ts';
import type { Principal } from '../access/principal.ts';
import type { ManagedClients } from '../tenants/managedClients.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { SingleSignOn } from '../access/sso.ts';
import type { GrafanaSignIn } from '../grafana/grafanaPeople.ts';
import type { PlatformMetrics } from '../metrics/platformMetrics.ts';
import type { Readiness } from '../platform/readiness.ts';

/** What the proxy asks of people's Grafana users: who a person signs in as, their user made right first. */
export interface GrafanaPeopleGate {
  ensure(principal: Principal & { userId: string }): Promise<GrafanaSignIn | null>;
}

/** Everything the routes need, built at start-up and passed in (no module reads the environment). */
export interface ApiContext {
  /** The clients as they are now (the registry changes at runtime). */
  clients: ClientLookup;
  databases: ClientDatabases;
  /** The clients managed in the product (`/api/admin/clients`): their store, its keys, and the registry file's ids. */
  managedClients?: ManagedClients;
  /** Who is asking: keys, sessions, the open platform. */
  access: Access;
  /** The platform database: people, sessions, tokens, the audit log. */
  platform: Queryable;
  /** Every client is served from generated demo data. */
  demo: boolean;
  now: () => Date;
  /** Signs the browser session cookie; `secureCookies` marks it Secure (production, behind HTTPS). */
  session: { secret: string; secureCookies: boolean };
  limits: LimitsConfig;
  /** Answers of metric endpoints, shared by identical requests for a short time; null when switched off. */
  cache: ResultCache | null;
  /** Pre-aggregated counts in the platform database; null when rollups are off (every answer is raw SQL). */
  rollups?: RollupReader | null;
  /** Single sign-on, when configured: the sign-in page offers it. */
  sso: { label: string; href: string } | null;
  /** The OpenID Connect relying party behind `sso` (`/auth/oidc/*`); absent or null when single sign-on is off. */
  oidc?: SingleSignOn | null;
  /** `PUBLIC_URL`'s host: state-changing browser requests from it count as same-site. */
  publicHost: string | null;
  /** `PUBLIC_URL` (an origin, no trailing slash): links in emails; null: the request's own origin. */
  publicUrl: string | null;
  /** Email: over SMTP when configured, always recorded in the outbox. */
  mailer: Mailer;
  /** Production: Secure cookies and HSTS. */
  production: boolean;
  /**
   * Grafana behind `/grafana/`: its address, the Grafana login the admin key's session is proxied as, and people's own
   * Grafana users (made right before a person's request is forwarded); `people` is null without admin credentials.
   */
  grafana: { url: string | null; operatorLogin: string; people?: GrafanaPeopleGate | null };
  /** The platform's own Prometheus metrics (`/metrics`), one registry per runtime. */
  metrics: PlatformMetrics;
  /** `METRICS_TOKEN`: reads `/metrics` besides an admin; null when not set. */
  metricsToken: string | null;
  /** What `/ready` answers: the platform database reachable and migrated, the registry loaded. */
  readiness: () => Promise<Readiness>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The credential presented was wrong (answered after the rate limiter). */
    authError: Error | null;
  }
  interface FastifyContextConfig {
    /** Route needs no credentials (health, docs, sign-in); its handler may still read `request.principal`. */
    public?: boolean;
    /** A public route that never looks at who is asking (health, assets): no session look-up for it. */
    anonymous?: boolean;
  }
}
