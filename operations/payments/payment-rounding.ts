import type { Db } from '../../db/client';
import { roundUpToMultiple, type MinorUnits } from '../../domain/money';

/** The setting's key: the rounding value in minor units (0 or absent: no rounding). */
export const paymentRoundingKey = 'payment_rounding';

/** The rounding value of spec 02 §13.3 (settings `payment_rounding`), 0 when unset or unusable. */
export async function paymentRoundingValue(db: Db): Promise<MinorUnits> {
  const [row] = await db<Array<{ value: unknown }>>`select value from settings where key = ${paymentRoundingKey}`;
  const value = row?.value;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * The amount of a payment the platform generates for an order (spec 02 §2.13, §13.3): the order's amount rounded
 * up to a multiple of the rounding value. Decision 26: the order's amount (and its charges) stay as they are; a
 * payment received for the rounded amount settles the order's amount and leaves the rest on the balance.
 */
export async function paymentRounding(db: Db, orderAmount: MinorUnits): Promise<MinorUnits> {
  return roundUpToMultiple(orderAmount, await paymentRoundingValue(db));
}
