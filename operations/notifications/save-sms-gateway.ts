import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { literalAddressRefusal, type EgressPolicy } from '../../infra/egress';
import { saveSetting } from '../settings/save-setting';
import type { SmsGatewayConfig } from './channels';

/**
 * Stores the HTTP SMS gateway. Its URL must be one the egress policy lets the platform call (checked on save, not
 * first when an SMS is sent); the event log shows the URL and method, never the authorization.
 */
export async function saveSmsGateway(sql: Sql, gateway: SmsGatewayConfig, { egress, by }: { egress: EgressPolicy; by: number }): Promise<void> {
  const refusal = literalAddressRefusal(egress, new URL(gateway.url));
  if (refusal) throw new AppError('egress_refused', `url: ${refusal}`);
  await saveSetting(sql, { key: 'sms_gateway', value: gateway, by, changes: { url: gateway.url, method: gateway.method } });
}
