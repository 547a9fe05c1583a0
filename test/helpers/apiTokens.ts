/**
 * A full API token secret (`cba_pat_…` / `cba_svc_…`, 43 base64url characters after the marker). The global teardown
 * fails the run when one appears in a log line; the 12-character display prefix (marker + 4) never matches.
 */
export const TOKEN_SECRET_PATTERN = /cba_(?:pat|svc)_[A-Za-z0-9_-]{20,}/;
