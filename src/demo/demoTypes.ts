/** Rows shaped exactly like the chatbot's tables (src/tenants/clientTables.ts); every Date is a UTC instant. */
export interface UserEventRow {
  sessionId: string;
  pageLoaded: Date | null;
  widgetOpened: Date | null;
  requestedHuman: Date | null;
  pressedAccept: Date | null;
  pressedCallback: Date | null;
  pressedContinue: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LeadRow {
  id: string;
  sessionId: string | null;
  createdAt: Date;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string | null;
}

export type ChatRole = 'user' | 'bot' | 'agent';

export interface ChatLogRow {
  id: string;
  sessionId: string;
  createdAt: Date;
  role: ChatRole;
  message: string;
}

export type AgentConnectionStatus = 'completed' | 'missed' | 'abandoned';

export interface AgentConnectionRow {
  id: string;
  sessionId: string;
  requestedAt: Date;
  connectedAt: Date | null;
  endedAt: Date | null;
  status: AgentConnectionStatus;
}

export interface DemoData {
  userEvents: UserEventRow[];
  leads: LeadRow[];
  chatLog: ChatLogRow[];
  agentConnections: AgentConnectionRow[];
}

export interface DemoClient {
  id: string;
  /** IANA name; the daily rhythm and weekends follow this zone's wall clock. */
  timezone: string;
  /** The registry's name and domain: the chat fits the business they name (src/demo/dialogues). */
  name?: string;
  domain?: string | null;
}
