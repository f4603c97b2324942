import { PluginError, type ProvisioningPlugin } from '../../contracts/plugin-contract';
import type { Sql } from '../../db/client';
import type { EgressPolicy } from '../../infra/egress';
import { createHttpVendorPlugin } from './adapters/http-vendor';
import { createLicensingPlugin } from './adapters/licensing';
import { createManualPlugin } from './adapters/manual';

/** The plugins this platform knows, by the name a service template uses. Plain map: no discovery magic. */
export class PluginRegistry {
  private readonly plugins = new Map<string, ProvisioningPlugin>();

  constructor(plugins: ProvisioningPlugin[]) {
    for (const plugin of plugins) this.plugins.set(plugin.name, plugin);
  }

  get(name: string): ProvisioningPlugin {
    const plugin = this.plugins.get(name);
    if (!plugin) throw new PluginError('permanent', `no plugin named "${name}" is installed`);
    return plugin;
  }

  names(): string[] {
    return [...this.plugins.keys()];
  }

  /** Who performs the named plugin's operations; an unknown name is left to fail when it is called. */
  performedBy(name: string): 'vendor' | 'people' {
    return this.plugins.get(name)?.performedBy ?? 'vendor';
  }
}

/** The built-in plugins; the licensing plugin keeps its records in the platform's database, the manual one's people act. */
export function createDefaultPluginRegistry({ sql, egress }: { sql: Sql; egress: EgressPolicy }): PluginRegistry {
  return new PluginRegistry([createHttpVendorPlugin({ egress }), createLicensingPlugin(sql), createManualPlugin()]);
}
