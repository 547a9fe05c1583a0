import type { Static } from 'typebox';
import type {
  ConversationsBody, DailyBody, FunnelBody, HandoffsBody, HeatmapBody, HourlyBody, LeadsBody, LeadSourcesBody, MetricsBody, SessionDetailBody,
  SessionsBody, TimeToConvertBody,
} from '../../http/schemas.ts';
import type { ChangeSchema } from '../../http/schemas/common.ts';
import type { ChatRole } from '../../analytics/chatColumns.ts';
import type { RateName } from '../../analytics/getMetrics.ts';
import type { Counter, Counts } from '../../analytics/steps.ts';

/** The schemas build some fields from the counter list; these name them for the compiler. */
type Ratio = Static<typeof MetricsBody>['acceptVsCallback']['accept'];
type Session = Static<typeof SessionsBody>['sessions'][number] & Record<Counter, string | null>;

/** The answers of the public API, typed from the same schemas the server validates them with. */
export interface Answers {
  funnel: Static<typeof FunnelBody>;
  daily: Omit<Static<typeof DailyBody>, 'days'> & { days: ({ date: string } & Counts)[] };
  hourly: Omit<Static<typeof HourlyBody>, 'hours'> & { hours: ({ hour: number } & Counts)[] };
  heatmap: Static<typeof HeatmapBody>;
  metrics: Omit<Static<typeof MetricsBody>, 'rates'> & { rates: Record<RateName, Ratio> };
  sessions: Omit<Static<typeof SessionsBody>, 'sessions'> & { sessions: Session[] };
  leads: Static<typeof LeadsBody>;
  'time-to-convert': Static<typeof TimeToConvertBody>;
  handoffs: Static<typeof HandoffsBody>;
  conversations: Static<typeof ConversationsBody> & { messagesByRole?: Record<ChatRole, number> };
  'lead-sources': Static<typeof LeadSourcesBody>;
}
export type Endpoint = keyof Answers;
/** `/api/{clientId}/sessions/{sessionId}`: one session with its timeline, transcript, leads and agent connections. */
export type SessionDetail = Omit<Static<typeof SessionDetailBody>, 'session'> & { session: Session };
/** One entry of `changes` in an answer asked with `compare=previous`. */
export type Change = Static<typeof ChangeSchema>;

/** A request that did not give an answer, with a sentence that says what happened. */
export class ApiFailure extends Error {
  constructor(readonly status: number | null, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
  }
}

function explain(status: number, code: string, message: string): string {
  if (status === 401) return 'Your session has ended: sign in again to see this dashboard.';
  if (status === 400) return `The API refused this range: ${message}.`;
  if (status === 404) return 'This client does not exist or is not visible to you.';
  if (code === 'DATABASE_UNAVAILABLE') return `${message}. The numbers will be back when it answers again.`;
  if (status === 504) return `${message}. Try a shorter range.`;
  return message;
}

export const answerUrl = (clientId: string, endpoint: Endpoint, params: Record<string, string>) =>
  `/api/${encodeURIComponent(clientId)}/${endpoint}?${new URLSearchParams(params)}`;

export const sessionUrl = (clientId: string, sessionId: string, params: Record<string, string> = {}) =>
  `/api/${encodeURIComponent(clientId)}/sessions/${encodeURIComponent(sessionId)}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;

/** The same answer as CSV (`format=csv`): what each panel's download link fetches. */
export const csvUrl = (clientId: string, endpoint: Endpoint, params: Record<string, string>) =>
  answerUrl(clientId, endpoint, { ...params, format: 'csv' });

/** GET /api/{clientId}/{endpoint}: same origin, so the session cookie goes along. */
export function fetchAnswer<E extends Endpoint>(clientId: string, endpoint: E, params: Record<string, string>, signal: AbortSignal): Promise<Answers[E]> {
  return fetchJson<Answers[E]>(answerUrl(clientId, endpoint, params), signal);
}

/** GET /api/{clientId}/sessions/{sessionId}. */
export function fetchSessionDetail(clientId: string, sessionId: string, signal: AbortSignal): Promise<SessionDetail> {
  return fetchJson<SessionDetail>(sessionUrl(clientId, sessionId), signal);
}

async function fetchJson<T>(url: string, signal: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiFailure(null, 'NETWORK', 'The analytics server could not be reached. Check the connection and reload.');
  }
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (response.ok && body) return body as T;
  const code = body?.error?.code ?? 'UNEXPECTED';
  const message = body?.error?.message ?? `The server answered HTTP ${response.status}`;
  throw new ApiFailure(response.status, code, explain(response.status, code, message));
}
