import type { Sql } from '../db/client';
import { publicEgressOnly, type EgressPolicy } from '../infra/egress';
import type { SecretBox } from '../infra/secret-box';
import { todayIn } from '../domain/dates';
import type { PluginRegistry } from '../operations/plugins/registry';
import { createBillingRunActivities } from './billing-runs';
import { createClientBlockActivities } from './client-blocks';
import { createEntitlementLifecycleActivities } from './entitlement-lifecycle';
import { createNotificationActivities } from './notifications';
import type { MailConfig } from '../operations/notifications/channels';
import { createLifecycleOrderActivities } from './lifecycle-orders';
import { createManualOperationActivities } from './manual-operations';
import { createOrderActivities } from './orders';
import { createPluginActivities } from './plugin-calls';
import { createScenarioDispatchActivities } from './scenario-dispatch';
import { createScenarioRecorders } from './scenario-records';
import { createSubscriptionActivities } from './subscriptions';
import { createUsageActivities } from './usage';

export interface ActivityDeps {
  sql: Sql;
  plugins: PluginRegistry;
  timeZone: string;
  /** Injected so tests can pin the business date; defaults to the wall clock. */
  now?: () => Date;
  /** Outgoing e-mail (notifications). */
  mail?: MailConfig;
  /** Which hosts inside the network outbound calls may reach (EGRESS_ALLOW_HOSTS); default: none. */
  egress?: EgressPolicy;
  /** Opens the secrets sealed at rest, such as the resellers' SMTP passwords (SECRETS_ENCRYPTION_KEY). */
  secrets?: SecretBox;
}

/** Every activity the worker registers, built from its dependencies. */
export function createActivities({ sql, plugins, timeZone, now = () => new Date(), mail = { from: 'billing@localhost' }, egress = publicEgressOnly, secrets }: ActivityDeps) {
  const today = () => todayIn(timeZone, now());
  return {
    ...createScenarioRecorders({ sql }),
    ...createOrderActivities({ sql, today, plugins }),
    ...createPluginActivities({ sql, plugins }),
    ...createManualOperationActivities({ sql }),
    ...createSubscriptionActivities({ sql, plugins, today }),
    ...createBillingRunActivities({ sql, today, plugins }),
    ...createScenarioDispatchActivities({ sql }),
    ...createLifecycleOrderActivities({ sql, today, plugins }),
    ...createClientBlockActivities({ sql, today }),
    ...createNotificationActivities({ sql, timeZone, now, mail, egress, secrets }),
    ...createUsageActivities({ sql, plugins, timeZone, now }),
    ...createEntitlementLifecycleActivities({ sql, now }),
  };
}
