import { loadConfigOrExit } from '../infra/config';
import { ensureDatabase, migrateDatabase } from './migrate';

const config = loadConfigOrExit();
await ensureDatabase(config.DATABASE_URL);
await migrateDatabase(config.DATABASE_URL);
console.log('database migrated');
