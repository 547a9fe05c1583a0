import { DateTime } from 'luxon';
import type { BusinessHours } from './ruleSettings.ts';

/** Whether `now` falls in the business hours, read on the client's own wall clock (null: always). */
export function withinBusinessHours(hours: BusinessHours | null, timezone: string, now: Date): boolean {
  if (!hours) return true;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!hours.days.includes(local.weekday)) return false;
  const clock = local.toFormat('HH:mm');
  return clock >= hours.start && clock < hours.end;
}
