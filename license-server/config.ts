import { hostname } from 'node:os';
import { z } from 'zod';
import { parseLicenseKey } from '../domain/licensing/codes';
import { MAX_POOL_SECONDS } from '../domain/licensing/seat-pools';

/**
 * The local license server's configuration: environment variables, validated at start; a bad value stops the
 * process with a message naming the variable (as the platform's own processes do).
 */
const positive = (max: number) => z.coerce.number().int().min(1).max(max);

export const licenseServerEnv = z.object({
  /** The root's public licensing API, e.g. https://billing.example.com/licensing/v1. */
  LICENSE_SERVER_ROOT_URL: z.url(),
  /** The customer's license key and the floating product to pool. */
  LICENSE_SERVER_KEY: z
    .string()
    .max(64)
    .refine((key) => {
      try {
        return Boolean(parseLicenseKey(key));
      } catch {
        return false;
      }
    }, 'not a license key (its format or check characters are wrong)'),
  LICENSE_SERVER_PRODUCT: z.string().min(1).max(64),
  /** Seats to hold from the root. */
  LICENSE_SERVER_SEATS: positive(100_000),
  /** How long each pool (and renewal) is asked for; at most the spec's 24 h. Tests use seconds. */
  LICENSE_SERVER_POOL_SECONDS: positive(MAX_POOL_SECONDS).default(MAX_POOL_SECONDS),
  /** This server's machine id at the root; the host name unless set. */
  LICENSE_SERVER_ID: z.string().trim().min(1).max(128).default(hostname()),
  LICENSE_SERVER_STATE_FILE: z.string().min(1).default('.data/license-server.json'),
  /** Where clients reach it. Loopback by default: opening it to the network is a decision of whoever installs it. */
  LICENSE_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port (printed at start). */
  LICENSE_SERVER_PORT: z.coerce.number().int().min(0).max(65_535).default(8790),
  /** Lease timing for its clients, as at the root (spec 04 §5.1 defaults). */
  LICENSE_SERVER_LEASE_TTL_SECONDS: positive(86_400).default(900),
  LICENSE_SERVER_HEARTBEAT_SECONDS: positive(86_400).default(300),
});

export type LicenseServerConfig = z.infer<typeof licenseServerEnv>;

export function readLicenseServerConfig(env: NodeJS.ProcessEnv): LicenseServerConfig {
  const parsed = licenseServerEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid license server configuration: ${problems}`);
  }
  return parsed.data;
}
