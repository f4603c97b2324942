import { z } from 'zod';
import { TrustedProxies } from './client-address';
import { parseAllowHosts, type EgressPolicy } from './egress';
import { secretBoxKeyFrom } from './secret-box';

/**
 * All configuration comes from environment variables, validated here once at start. A bad value stops
 * the process with a message naming the variable, before anything connects anywhere.
 */
/** A secret box key: base64 of 32 random bytes. */
const secretsKey = z
  .string()
  .transform((text, ctx) => {
    const key = secretBoxKeyFrom(text);
    if (!key) {
      ctx.addIssue({ code: 'custom', message: 'must be base64 of exactly 32 bytes (openssl rand -base64 32)' });
      return z.NEVER;
    }
    return key;
  })
  .optional();

const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/billing'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('billing'),
  TEMPORAL_UI_URL: z.url().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address people reach the API at, when it differs from HOST:PORT (a proxy, a container). */
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOOTSTRAP_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /**
   * Proxies in front of the API whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses and CIDRs,
   * comma-separated. Unset: none, and the connection's own address is the client's.
   */
  TRUST_PROXY: z
    .string()
    .superRefine((value, ctx) => {
      try {
        TrustedProxies.parse(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  /** Anonymous trial registrations (`POST /licensing/v1/keys` with a trial) per product per hour, from all addresses together. */
  LICENSING_TRIALS_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /**
   * The key that encrypts the licensing vendors' signing keys at rest (infra/secret-box.ts): base64 of 32 random
   * bytes (`openssl rand -base64 32`). Kept out of the database on purpose. Unset: vendors cannot be registered,
   * rotated or sign documents (503 LICENSING_KEYS_LOCKED).
   */
  LICENSING_KEY_ENCRYPTION_KEY: secretsKey,
  /**
   * The key of every secret the platform keeps at rest (infra/secret-box.ts): the licensing vendors' signing keys,
   * entitlement administrator passwords and the resellers' SMTP passwords. LICENSING_KEY_ENCRYPTION_KEY is its
   * earlier name, still read: one key under either name, and both set must be the same key (`secretsKeyOf`).
   */
  SECRETS_ENCRYPTION_KEY: secretsKey,
  /** When set, `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The API's database statement timeout: a longer query is cancelled and answered 503 `query_timeout`; 0 turns it off. */
  API_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  /** The first administrator's operator UI password, set only while that administrator has none. */
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** The business day (billing dates, start and expiration dates) is counted in this IANA time zone. */
  PLATFORM_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Moscow or UTC')
    .default('UTC'),
  /** The hour (0-23, platform time zone) the daily billing run starts. */
  BILLING_RUN_HOUR: z.coerce.number().int().min(0).max(23).default(1),
  /** After an outage, missed billing runs within this many days are run, in date order. */
  BILLING_CATCHUP_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** First back-off of a failed plugin call; later ones double up to PLUGIN_RETRY_MAX_INTERVAL_MS. */
  PLUGIN_RETRY_INITIAL_MS: z.coerce.number().int().min(10).default(2_000),
  PLUGIN_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(10).default(60_000),
  /** Attempts before a transient plugin failure stops at the step and waits for a decision. */
  PLUGIN_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  /** How long an in-flight plugin call may go without a heartbeat before Temporal retries it elsewhere. */
  PLUGIN_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Upper bound on concurrent activities per worker process. */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  /** Outgoing e-mail for notifications: `smtp://user:password@host:587` (unset: e-mail notifications fail, logged). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('billing@localhost'),
  /** `npm start` only, when it starts its own Temporal dev server: gRPC port, Web UI port (default + 1000), data. */
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  TEMPORAL_DATA_DIR: z.string().min(1).default('.data'),
  /**
   * Hosts inside the network (loopback, private, link-local addresses) that vendor and SMS gateway URLs may name:
   * `host` or `host:port`, separated by commas. Unset: outbound calls reach public addresses only.
   */
  EGRESS_ALLOW_HOSTS: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseAllowHosts(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; expected host or host:port entries separated by commas` });
        return z.NEVER;
      }
    })
    .default([]),
});

export type Config = z.infer<typeof configSchema>;

/**
 * The one key of the secrets at rest: SECRETS_ENCRYPTION_KEY, else its earlier name LICENSING_KEY_ENCRYPTION_KEY.
 * One key rather than one per kind of secret: the values it seals already share one box (the signing keys and the
 * administrator passwords), a second key would be a second thing to keep out of the backups and to lose, and no
 * rotation of the key itself exists that separate keys would make cheaper. Both names set to different keys would
 * leave some secrets unopenable, so that stops the process.
 */
export function secretsKeyOf(config: Pick<Config, 'SECRETS_ENCRYPTION_KEY' | 'LICENSING_KEY_ENCRYPTION_KEY'>): Buffer | undefined {
  const { SECRETS_ENCRYPTION_KEY: general, LICENSING_KEY_ENCRYPTION_KEY: licensing } = config;
  if (general && licensing && !general.equals(licensing)) {
    throw new ConfigError('Invalid configuration:\n  SECRETS_ENCRYPTION_KEY: differs from LICENSING_KEY_ENCRYPTION_KEY, its earlier name; set one of them, or both to the same key');
  }
  return general ?? licensing;
}

/** The egress policy of the API (checks when URLs are saved) and the worker (every outbound call). */
export const egressPolicyFrom = (config: Config): EgressPolicy => ({ allowHosts: config.EGRESS_ALLOW_HOSTS });

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Something outside the platform stops it from starting (a taken port, an unreachable Temporal): entry points print
 * its message as one line, without a stack, and exit 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as they do in most shells and compose files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** For process entry points: print the problem and exit instead of throwing a stack trace. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
