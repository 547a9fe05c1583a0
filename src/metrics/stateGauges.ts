import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ResultCache } from '../cache/resultCache.ts';
import type { BudgetStats } from '../tenants/connections/serverBudget.ts';

/** A gauge whose samples are read afresh at every scrape (old label values vanish with what they described). */
export function scrapedGauge(registry: Registry, name: string, help: string, labelNames: string[], read?: (gauge: Gauge) => void): Gauge {
  return new Gauge({
    name, help, labelNames, registers: [registry],
    ...(read ? { collect(this: Gauge) { this.reset(); read(this); } } : {}),
  });
}

/**
 * Connection pools and the result cache, read from memory when scraped: each client database server's budget
 * (`DB_MAX_CONNECTIONS_PER_SERVER`, see tenants/connections/serverBudget.ts), the platform pool, cache look-ups.
 */
export function registerStateGauges(
  registry: Registry,
  sources: { databases: { stats(): BudgetStats[] }; platform: pg.Pool; cache: ResultCache | null },
): void {
  const { databases, platform, cache } = sources;
  scrapedGauge(registry, 'cba_db_connections', 'Connections to each client database server (host:port), by state: in_use or idle', ['server', 'state'], (g) => {
    for (const s of databases.stats()) {
      g.set({ server: s.server, state: 'in_use' }, s.inUse);
      g.set({ server: s.server, state: 'idle' }, s.idle);
    }
  });
  scrapedGauge(registry, 'cba_db_connections_max', 'Connections this process may hold to each client database server (its budget)', ['server'], (g) => {
    for (const s of databases.stats()) g.set({ server: s.server }, s.capacity);
  });
  scrapedGauge(registry, 'cba_db_waiting_requests', 'Requests waiting for a connection to each client database server', ['server'], (g) => {
    for (const s of databases.stats()) g.set({ server: s.server }, s.waiting);
  });
  scrapedGauge(registry, 'cba_platform_db_connections', 'Connections to the platform database, by state: in_use or idle', ['state'], (g) => {
    g.set({ state: 'in_use' }, platform.totalCount - platform.idleCount);
    g.set({ state: 'idle' }, platform.idleCount);
  });
  scrapedGauge(registry, 'cba_platform_db_waiting_requests', 'Queries waiting for a platform database connection', [], (g) => g.set(platform.waitingCount));
  new Counter({
    name: 'cba_cache_lookups_total',
    help: 'Result cache look-ups by outcome: hit (answered without computing) or miss (computed)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'hit' }, cache?.lookups.hits ?? 0);
      this.inc({ outcome: 'miss' }, cache?.lookups.misses ?? 0);
    },
  });
}
