import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { createChannel } from '../../../src/notify/delivery/channels.ts';
import { updateSchedule } from '../../../src/notify/reports/reportSchedules.ts';
import { alertWorld, days, hours, type AlertWorld } from '../../notify/alerts/alertWorld.ts';
import { workerEnv } from './workers.ts';

/**
 * What the exactly-once test of the real report and alert jobs runs on: a migrated platform database, one real client
 * database (a schema per client) and a clients file for the worker processes.
 * - maple: five weeks of 40 sessions every hour, silent for the last two (the no-data alert fires), an email channel
 *   listening for its alerts, and its weekly report due at `occurrences[0]`, local time in Kathmandu.
 * - birch: two weeks of 4 an hour (too young for the no-data rule), its weekly report due at the same minute.
 * The cron names two local minutes (Asia/Kathmandu, UTC+05:45: read in UTC it would not occur during the test), and
 * the workers' test cron job (test/jobs/support/emailWorker.ts) uses it too.
 */
export const TZ = 'Asia/Kathmandu';
export const ADDRESSES = {
  mapleReport: 'owner@maple.example', birchReport: 'owner@birch.example', mapleAlerts: 'oncall@maple.example', cron: 'cron@example.test',
} as const;
export const NAMES = { maple: 'Maple Dental', birch: 'Birch Books' } as const;
/** Short, so the retry of a send whose process was killed comes within the test (production: 600). */
export const SEND_TIMEOUT_SECONDS = 15;

export interface NotifyWorld {
  world: AlertWorld;
  /** The two local minutes the cron names (the report is due at the first; the second finds its week recorded). */
  occurrences: DateTime[];
  channelId: string;
  env: Record<string, string>;
}

/** The next two whole local minutes, at least 30 s ahead so both workers are up before the first. */
export function nextOccurrences(now = DateTime.now().setZone(TZ)): { occurrences: DateTime[]; cron: string } {
  let first = now.startOf('minute').plus({ minutes: now.second < 30 ? 1 : 2 });
  // Both in one local week: the report covers the week before, and one week's report is the one expected.
  if (+first.plus({ minutes: 1 }).startOf('week') !== +first.startOf('week')) first = first.plus({ minutes: 1 });
  const occurrences = [first, first.plus({ minutes: 1 })];
  // With two hours listed, the two extra combinations are an hour before and after: outside the test.
  const list = (values: number[]) => [...new Set(values)].join(',');
  return { occurrences, cron: `${list(occurrences.map((o) => o.minute))} ${list(occurrences.map((o) => o.hour))} * * *` };
}

export async function notifyWorld(smtpUrl: string): Promise<NotifyWorld> {
  const world = await alertWorld('notify_once');
  const now = new Date();
  await world.addClient('maple', TZ);
  await world.addClient('birch', TZ);
  await world.fill('maple', { from: days(now, -35), to: hours(now, -2), perHour: Array(24).fill(40) });
  await world.fill('birch', { from: days(now, -14), to: now, perHour: Array(24).fill(4) });

  const dir = mkdtempSync(join(tmpdir(), 'notify-once-'));
  const clientsFile = join(dir, 'clients.json');
  const entry = (id: keyof typeof NAMES) => ({ id, name: NAMES[id], dbUrl: `${world.data.url}?schema=${id}`, timezone: TZ });
  writeFileSync(clientsFile, JSON.stringify({ maple: entry('maple'), birch: entry('birch') }));

  const { occurrences, cron } = nextOccurrences();
  // Made before the occurrence, so it is not backlog; the API's PATCH …/reports calls the same function.
  const db = world.platform.pool;
  await updateSchedule(db, 'maple', 'weekly', { cron, recipients: [ADDRESSES.mapleReport] }, new Date());
  await updateSchedule(db, 'birch', 'weekly', { cron, recipients: [ADDRESSES.birchReport] }, new Date());
  const channel = await createChannel(db, null, {
    name: 'Maple on call', kind: 'email', addresses: [ADDRESSES.mapleAlerts], toMembers: false, webhook: null,
    clientIds: ['maple'], kinds: ['alert-firing', 'alert-resolved'], enabled: true,
  });
  const env = workerEnv(world.platform.url, smtpUrl, {
    CLIENTS_FILE: clientsFile, TEST_CRON: cron, TEST_CRON_TZ: TZ, REPORT_SEND_TIMEOUT_SECONDS: String(SEND_TIMEOUT_SECONDS),
  });
  return { world, occurrences, channelId: channel.id, env };
}
