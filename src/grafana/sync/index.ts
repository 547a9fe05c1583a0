/** Grafana bootstrap: what the CLI and the server's start-up use. */
export { syncGrafana, type SyncConfig, type SyncOptions } from './syncGrafana.ts';
export { formatReport, type SyncReport, type ClientReport, type Resource, type Outcome } from './report.ts';
export { grafanaLoginFor } from '../logins.ts'; // the proxy sends it as X-WEBAUTH-USER
export { GrafanaApiError, GrafanaSyncError } from './grafanaClient.ts';
