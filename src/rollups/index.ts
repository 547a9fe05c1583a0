export { forgetRollups, lockKey } from './schema.ts';
export { refreshRollups, DEFAULT_OVERLAP_SECONDS, type RefreshOptions, type RefreshProgress, type RefreshReport } from './refreshRollups.ts';
export { rebuildRollups } from './rebuildRollups.ts';
export { RollupReader } from './rollupReader.ts';
export { startRollupRefresher, type RefresherOptions, type RollupRefresher } from './rollupRefresher.ts';
export { BUCKET_SECONDS } from './rollupSql.ts';
