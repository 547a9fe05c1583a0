import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/loadConfig.ts';
import { startServer } from '../main/api.ts';

loadDotenv({ quiet: true });

try {
  await startServer(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
