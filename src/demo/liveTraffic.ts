import type { ConnectionSource } from '../db/transaction.ts';
import { inTransaction } from '../db/transaction.ts';
import type { ClientTable } from '../tenants/clientTables.ts';
import { generateDemoData } from './generateDemoData.ts';
import { demoRowCounts, insertDemoData } from './insertDemoData.ts';
import type { DemoClientTarget } from './loadDemo.ts';
import type { DemoScenario } from './scenarios.ts';

/** One demo client whose history was generated up to `through`, shaped from `anchor` (its load's moment). */
interface Tracked {
  client: DemoClientTarget;
  days: number;
  anchor: Date;
  scenario: DemoScenario | undefined;
  through: Date;
}

export interface AppendedTraffic {
  clientId: string;
  rows: Record<ClientTable, number>;
}

/**
 * Keeps the demo's traffic live: demo data is generated once at start-up, so without this every healthy demo client
 * would look silent (and fire no-data) an hour or two later. Each `append(now)` writes, per client, the sessions the
 * same deterministic generator (same profile, same scenario, same anchor) has at `now` and had not at the last
 * append — those that ended in between — in one transaction, and only then moves the client's mark. Appends run one
 * at a time; an append to a moment not after the mark adds nothing, so running it twice never writes a row twice.
 */
export class LiveDemoTraffic {
  private readonly clients = new Map<string, Tracked>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: ConnectionSource) {}

  /** A client whose data was just loaded with `generateDemoData(client, { days, now: anchor, scenario })`. */
  track(client: DemoClientTarget, opts: { days: number; anchor: Date; scenario?: DemoScenario }): void {
    this.clients.set(client.id, { client, days: opts.days, anchor: opts.anchor, scenario: opts.scenario, through: opts.anchor });
  }

  forget(clientId: string): void {
    this.clients.delete(clientId);
  }

  append(now: Date): Promise<AppendedTraffic[]> {
    const run = this.queue.catch(() => undefined).then(() => this.appendAll(now));
    this.queue = run;
    return run;
  }

  private async appendAll(now: Date): Promise<AppendedTraffic[]> {
    const appended: AppendedTraffic[] = [];
    for (const tracked of this.clients.values()) {
      if (now <= tracked.through) continue;
      const data = generateDemoData(tracked.client, {
        days: tracked.days, anchor: tracked.anchor, since: tracked.through, now, scenario: tracked.scenario,
      });
      if (data.userEvents.length > 0) await inTransaction(this.db, (tx) => insertDemoData(tx, tracked.client.schema, data));
      tracked.through = now;
      appended.push({ clientId: tracked.client.id, rows: demoRowCounts(data) });
    }
    return appended;
  }
}
