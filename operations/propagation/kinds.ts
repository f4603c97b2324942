import type { PropagatedKind } from './propagation';

// The kinds of object propagated down the tenant tree (spec 05 §3.1 matrix) with their per-kind rules.

/** Notification handlers (spec 03 §5): editable anywhere; they name their template by its key. */
export const handlerKind: PropagatedKind = {
  table: 'notification_handlers',
  label: 'notification handler',
  policy: { downstreamEdit: true },
  copyColumns: ['event', 'template_id', 'rule', 'send_hour', 'active'],
  references: [{ table: 'notification_handler_statuses', column: 'handler_key' }],
};

/** Notification templates (spec 03 §4): editable anywhere; a modified copy stops upstream changes. */
export const templateKind: PropagatedKind = {
  table: 'notification_templates',
  label: 'notification template',
  policy: { downstreamEdit: true },
  copyColumns: ['name', 'channel', 'event', 'recipients', 'versions', 'fallback_language'],
  shipped: true,
  dependents: [{ kind: handlerKind, column: 'template_id' }],
};

/** Provisioning rules (spec 05 §3.4): read-only below their creator, so every level stays identical. */
export const provisioningRuleKind: PropagatedKind = {
  table: 'provisioning_rules',
  label: 'provisioning rule',
  policy: { downstreamEdit: false },
  copyColumns: ['key', 'name', 'financial_day', 'promised_payment_allowed', 'manual_renew_point_days', 'auto_renew_point_days', 'unpaid_stop_after_days', 'blocking_period_days', 'client_types'],
};

/**
 * Client types (spec 05 §3.5): read-only below their creator except each reseller's own settings
 * (client_type_settings); an upstream deletion leaves the type, as its own, to every descendant with clients of it.
 */
export const clientTypeKind: PropagatedKind = {
  table: 'client_types',
  label: 'client type',
  policy: { downstreamEdit: false },
  copyColumns: ['key', 'name'],
  references: [
    { table: 'clients', column: 'client_type_id' },
    { table: 'client_type_settings', column: 'client_type_id' },
  ],
  keepers: (tx, key) => tx`select reseller_id from clients where client_type_id = ${key}`,
};

/** Notification categories (spec 03 §3): editable anywhere, like templates; templates do not name a category yet. */
export const notificationCategoryKind: PropagatedKind = {
  table: 'notification_categories',
  label: 'notification category',
  policy: { downstreamEdit: true },
  copyColumns: ['name', 'description', 'published', 'enabled_on_client_creation'],
};

/**
 * Document templates (spec 05 §3.6: Invoice/Prepay and Invoice/Postpay are the act and invoice PDF templates, a fixed
 * set): editable anywhere, a modified copy stops upstream changes, restore drops it; never created or deleted below
 * the operator's factory rows.
 */
export const documentTemplateKind: PropagatedKind = {
  table: 'document_templates',
  label: 'document template',
  policy: { downstreamEdit: true },
  copyColumns: ['kind', 'language', 'body'],
  shipped: true,
};
