import type { Db } from '../../../db/client';

/** The license a subscription holds (its newest entitlement), as the licensing plugin reports it. */
export interface SubscriptionLicense {
  id: number;
  status: string;
  seats: number;
  /** The key's canonical code. */
  code: string;
}

/** The subscription's newest entitlement with its key, or undefined when none was issued. Reads only. */
export async function findSubscriptionLicense(db: Db, subscriptionId: number): Promise<SubscriptionLicense | undefined> {
  const [row] = await db<SubscriptionLicense[]>`
    select e.id, e.status, e.seats, k.code from entitlements e join license_keys k on k.id = e.key_id
    where e.subscription_id = ${subscriptionId} order by e.id desc limit 1`;
  return row;
}
