import { bigint, date, timestamp } from 'drizzle-orm/pg-core';

export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** Money is always integer minor units (cents), never floating point. */
export const money = (name: string) => bigint(name, { mode: 'number' });

/** A business date (`YYYY-MM-DD`), no time of day and no time zone. */
export const businessDate = (name: string) => date(name, { mode: 'string' });
