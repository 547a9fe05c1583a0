import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { startWorker } from '../main/worker.ts';

loadDotenv({ quiet: true });

try {
  await startWorker(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
