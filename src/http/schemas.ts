import { comparableBody, metricBody } from './schemas/common.ts';
import { Type } from 'typebox';
import { DailyFields, FunnelFields, HeatmapFields, HourlyFields, LeadsFields, LeadsUnavailableFields, MetricsFields, SessionsFields } from './schemas/metrics.ts';

/** The answers' schemas (and, through `Static`, their types for the web app). */
export { ClientParams, ErrorBody } from './schemas/common.ts';
export { ClientSummary, TestFailBody, TestOkBody } from './schemas/metrics.ts';

export const FunnelBody = comparableBody(FunnelFields);
export const DailyBody = comparableBody(DailyFields);
export const HourlyBody = comparableBody(HourlyFields);
export const HeatmapBody = metricBody(HeatmapFields);
export const MetricsBody = comparableBody(MetricsFields);
export const SessionsBody = metricBody(SessionsFields);
export const LeadsBody = Type.Union([comparableBody(LeadsFields), comparableBody(LeadsUnavailableFields)]);
export { HandoffsBody, TimeToConvertBody } from './schemas/conversion.ts';
export { ConversationsBody, LeadSourcesBody, SessionDetailBody } from './schemas/conversations.ts';
