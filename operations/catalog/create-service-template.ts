import { oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import type { EgressPolicy } from '../../infra/egress';
import { HTTP_VENDOR_PLUGIN_NAME, httpVendorSettingsRefusal } from '../plugins/adapters/http-vendor';

export interface ServiceTemplateInput {
  name: string;
  plugin: string;
  settings: Record<string, unknown>;
  capabilities: Record<string, unknown>;
}

/**
 * Creates a service template. A plugin's settings are checked when they are saved, not first when a scenario calls
 * the plugin: the HTTP vendor's URL must be one the egress policy lets the platform call. Returns its id.
 */
export async function createServiceTemplate(db: Db, t: ServiceTemplateInput, { egress }: { egress: EgressPolicy }): Promise<number> {
  const refusal = t.plugin === HTTP_VENDOR_PLUGIN_NAME ? httpVendorSettingsRefusal(t.settings, egress) : null;
  if (refusal) throw new AppError(refusal.code, refusal.message, refusal.details);
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into service_templates (name, plugin, settings, capabilities)
    values (${t.name}, ${t.plugin}, ${JSON.stringify(t.settings)}::jsonb, ${JSON.stringify(t.capabilities)}::jsonb)
    returning id`);
  return row.id;
}
