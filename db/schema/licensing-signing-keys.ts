import { sql } from 'drizzle-orm';
import { index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { licensingVendors } from './licensing';

/**
 * A licensing vendor's Ed25519 signing keys (spec 04 §1.2 `signingKeyId`, §6.8; issue 22 point 8). One is
 * `active` and signs new documents; rotation retires it and makes a new one active. Retired keys stay so that
 * documents they signed still verify: the public-key endpoint lists every key of the vendor.
 */
export const licensingSigningKeys = pgTable(
  'licensing_signing_keys',
  {
    id: serial('id').primaryKey(),
    vendorId: integer('vendor_id')
      .notNull()
      .references(() => licensingVendors.id),
    /** Ed25519, PEM (SPKI). Public. */
    publicKey: text('public_key').notNull(),
    /**
     * Ed25519, PEM (PKCS#8), sealed with LICENSING_KEY_ENCRYPTION_KEY (infra/secret-box.ts). A key carried over
     * from before encryption holds plain PEM until the API starts with the encryption key and seals it.
     */
    privateKeySealed: text('private_key_sealed').notNull(),
    status: text('status', { enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('licensing_signing_keys_one_active').on(t.vendorId).where(sql`${t.status} = 'active'`), index('licensing_signing_keys_vendor_idx').on(t.vendorId)],
);
