/** Grafana bootstrap: what the CLI and the server's start-up use. */
export { syncGrafana, type SyncConfig, type SyncOptions } from './syncGrafana.ts';
export { formatReport, type SyncReport, type ClientReport, type Resource, type Outcome } from './report.ts';
export { grafanaLoginFor, personLogin } from '../logins.ts'; // the proxy sends them as X-WEBAUTH-USER
export { syncPeople, formatPeopleReport, type PeopleReport, type PeopleSource } from './syncPeople.ts';
export { GrafanaApiError, GrafanaSyncError } from './grafanaClient.ts';
