/**
 * Run as a child process by test/integration/process-rejections.test.ts: installs the platform processes'
 * unhandled-rejection policy, then leaves one rejection unhandled, of a lost database connection (`lost`) or of
 * anything else (`other`), and says whether it is still alive a moment later.
 */
import { createLogger } from '../../infra/logger';
import { tolerateLostDatabaseConnections } from '../../platform/processes';

tolerateLostDatabaseConnections(createLogger('warn'));
const kind = process.argv[2];
const error = kind === 'lost' ? Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' }) : new Error('a bug');
void Promise.reject(error);
setTimeout(() => {
  process.stdout.write('still running\n');
}, 300);
