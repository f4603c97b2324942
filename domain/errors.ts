/**
 * The platform's one error type and its catalogue. Every refusal anywhere (a pure rule, an operation, the API, the
 * public licensing API) is an `AppError` with a code of this catalogue; the code decides the HTTP status, here and
 * nowhere else, so the same refusal answers the same way on every route. Codes are part of the API contract
 * (README "Idempotency and errors"): add one rather than reuse one with another meaning. The public licensing API
 * (spec 04 §7.1) keeps its upper-case codes.
 */
export const errorStatus = {
  // 400: the request itself is malformed
  validation_failed: 400,
  bad_request: 400,
  json_too_deep: 400,
  invalid_idempotency_key: 400,
  invalid_filter: 400,
  invalid_next: 400,
  invalid_email: 400,
  // 401, 403: who asks
  unauthenticated: 401,
  forbidden: 403,
  client_scope_required: 403,
  not_your_client: 403,
  access_level: 403,
  account_blocked: 403,
  account_deleted: 403,
  account_financially_blocked: 403,
  invalid_credentials: 401,
  // 404
  not_found: 404,
  // 409: conflicts with the current state
  conflict: 409,
  /** The subscription's billing type forbids the operation (spec 02 §4.10): refused before any order exists. */
  billing_type_forbids: 409,
  /** Close-all refused where the seed warns against it (postpay subscriptions). */
  manual_close_refused: 409,
  /** The tenant tree is at most domain/resellers.ts maxResellerDepth levels deep. */
  reseller_tree_too_deep: 409,
  /** A reseller's manager must be a staff member of its parent (spec 05 §1.2). */
  reseller_manager_not_upstream: 422,
  adjustment_decided: 409,
  already_decided: 409,
  already_reversed: 409,
  client_status: 409,
  confirmation_required: 409,
  email_taken: 409,
  entitlement_status: 409,
  handler_exists: 409,
  idempotency_key_in_progress: 409,
  notification_in_flight: 409,
  open_order_exists: 409,
  order_not_cancellable: 409,
  own_token: 409,
  payment_not_cancellable: 409,
  payment_not_confirmable: 409,
  payment_missing: 409,
  prefix_taken: 409,
  product_code_taken: 409,
  promised_payment_revoked: 409,
  promo_code_exhausted: 409,
  promo_code_taken: 409,
  renewal_window_closed: 409,
  run_in_progress: 409,
  scenario_already_started: 409,
  scenario_finished: 409,
  single_plan_held: 409,
  subscription_deleted: 409,
  subscription_status: 409,
  task_not_cancellable: 409,
  task_not_failed: 409,
  template_in_use: 409,
  /** Propagation down the tenant tree (domain/propagation.ts). */
  copy_read_only: 409,
  nothing_to_restore: 409,
  not_own_object: 409,
  key_taken_upstream: 409,
  key_taken_downstream: 409,
  handler_exists_downstream: 409,
  /** Client types (spec 02 §10, 05 §3.5): a key already used in the reseller's view; a type its clients still have; the last type. */
  client_type_key_taken: 409,
  client_type_in_use: 409,
  last_client_type: 409,
  /** Client types are added to a rule delegated from upstream; the creator edits its own rule instead (spec 05 §3.4 rule 4). */
  rule_not_delegated: 409,
  /** The default type is changed by making another type default (spec 02 §10). */
  default_cannot_be_unset: 422,
  /** A notification category's name is unique in a reseller's view and its subtree (spec 03 §3.2). */
  category_name_taken: 409,
  category_name_taken_downstream: 409,
  term_ended: 409,
  transfer_status: 409,
  not_stoppable: 409,
  not_deletable: 409,
  not_activatable: 409,
  not_blockable: 409,
  not_unblockable: 409,
  stop_in_progress: 409,
  delete_in_progress: 409,
  activate_in_progress: 409,
  // 413
  payload_too_large: 413,
  // 422: valid, but refused by a business rule
  /** A plan's prices or periods do not fit its billing type (spec 02 §4.10). */
  plan_billing_type: 422,
  before_start: 422,
  client_blocked: 422,
  client_deleted: 422,
  client_financially_blocked: 422,
  client_not_found: 422,
  subscription_not_found: 422,
  client_user_inactive: 422,
  credit_limit_insufficient: 422,
  currency_mismatch: 422,
  egress_refused: 422,
  exchange_rate_missing: 422,
  idempotency_key_reused: 422,
  invalid_argument: 422,
  invalid_currency: 422,
  invalid_date: 422,
  invalid_days: 422,
  invalid_exchange_rate: 422,
  invalid_financial_day: 422,
  invalid_format: 422,
  invalid_period: 422,
  invalid_price: 422,
  invalid_reference: 422,
  invalid_settings: 422,
  invalid_time_zone: 422,
  invalid_value: 422,
  merge_needs_an_order: 422,
  merge_needs_two_payments: 422,
  negative_not_allowed: 422,
  not_postpay: 422,
  not_prolongable: 422,
  not_renewable: 422,
  nothing_to_change: 422,
  out_of_range: 422,
  payment_not_found: 422,
  order_not_found: 422,
  payment_not_mergeable: 422,
  payment_not_merged: 422,
  payment_not_waiting: 422,
  payment_of_another_client: 422,
  payment_type_not_cancellable: 422,
  payment_type_not_confirmable: 422,
  plan_inactive: 422,
  /** A delegated copy whose upstream plan was deactivated (spec 05 §3.3 rule 11): no new sales in the subtree. */
  plan_deactivated_by_provider: 422,
  /** A plan is delegated to a direct child of its owner only (spec 05 §3.3 rule 2). */
  delegation_not_to_child: 422,
  plan_already_delegated: 409,
  /** A delegated copy's synced fields follow upstream (spec 05 §3.3 rules 7, 9): edited only where the plan was created. */
  plan_field_synced: 409,
  invalid_markup: 422,
  plan_not_switchable: 422,
  postpay_adjustment_unsupported: 422,
  postpay_permission_pending: 422,
  postpay_rejected: 422,
  preview_subject: 422,
  promised_payment_limit: 422,
  promo_code_expired: 422,
  promo_code_inactive: 422,
  promo_code_not_applicable: 422,
  promo_code_unknown: 422,
  promised_payment_period: 422,
  quantity_out_of_range: 422,
  rejected_by_scenario: 422,
  renew_through_subscription: 422,
  rule_required: 422,
  same_plan: 422,
  staff_inactive: 422,
  template_event: 422,
  template_incomplete: 422,
  template_syntax: 422,
  too_many_decimals: 422,
  transfer_to_owner: 422,
  unknown_resource: 422,
  // Per-record refusals of usage ingestion (issue 20, domain/usage.ts usageRecordCodes)
  invalid_quantity: 422,
  future_timestamp: 422,
  unknown_subscription: 422,
  not_usage_billing: 422,
  not_provisioned: 422,
  price_required: 422,
  period_closed: 422,
  unlimited_period: 422,
  invalid_document_mask: 422,
  // Documents and reseller settings (issue 21 point 6)
  invalid_image: 422,
  image_too_large: 422,
  invalid_smtp: 422,
  rule_syntax: 422,
  rule_unknown_variable: 422,
  template_unknown_placeholders: 422,
  // 429, 5xx
  too_many_attempts: 429,
  internal_error: 500,
  query_timeout: 503,
  database_unavailable: 503,
  /** A license operation whose step gave up after its retries (api/entitlement-workflow.ts): nothing committed. */
  operation_unavailable: 503,

  // The public licensing API (spec 04 §7.1) and the licensing routes of the staff API
  VALIDATION_FAILED: 400,
  INVALID_REQUEST_FILE: 400,
  SIGNATURES_REQUIRED: 400,
  COUPON_INVALID_FORMAT: 400,
  INVALID_KEY_FORMAT: 400,
  PAYLOAD_TOO_LARGE: 413,
  TRANSFER_SECRET_MISMATCH: 403,
  ENTITLEMENT_INACTIVE: 403,
  ENTITLEMENT_SUSPENDED: 403,
  ENTITLEMENT_EXPIRED: 403,
  ENTITLEMENT_SUPERSEDED: 403,
  IP_MISMATCH: 403,
  HARDWARE_MISMATCH: 403,
  SAME_MACHINE_NOT_ALLOWED: 403,
  PERIOD_EXHAUSTED: 403,
  ACTIVATION_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  LEASE_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_NOT_IN_KEY: 404,
  VENDOR_NOT_FOUND: 404,
  /** The vendors' signing keys are sealed and LICENSING_KEY_ENCRYPTION_KEY is not configured (or is not the key they were sealed with). */
  LICENSING_KEYS_LOCKED: 503,
  /** A paid major update (spec 04 §5.3) of a product without a retail price. */
  RETAIL_PRICE_UNKNOWN: 422,
  /** Paying a major update from the balance: the key has no billing client. */
  NO_BILLING_CLIENT: 422,
  /** Paying from the balance more than it holds. */
  BALANCE_TOO_LOW: 409,
  /** The major update was replaced by a newer quote. */
  MAJOR_UPDATE_CANCELLED: 409,
  COUPON_NOT_FOUND: 404,
  COUPON_ALREADY_USED: 409,
  COUPON_ALREADY_USED_BY_KEY: 409,
  COUPON_REVERSAL_CONFLICT: 409,
  COUPON_KEY_MISMATCH: 409,
  COUPON_VOID: 409,
  ENTITLEMENT_NOT_RENEWABLE: 409,
  LICENSE_HAS_SUBSCRIPTION: 409,
  LICENSE_NOT_FIXED: 409,
  MAX_ACTIVATIONS_REACHED: 409,
  OPERATION_IN_PROGRESS: 409,
  SEATS_EXHAUSTED: 409,
  SEATS_IN_USE: 409,
  LICENSE_NOT_FLOATING: 409,
  SEATS_REDUCED: 409,
  TRANSFER_ALREADY_PENDING: 409,
  COUPON_NOT_APPLICABLE: 422,
  COUPON_VENDOR_MISMATCH: 422,
  KEY_HAS_ACTIVE_SUBSCRIPTIONS: 422,
  INSUFFICIENT_BALANCE: 422,
  MAJOR_NOT_RELEASED: 422,
  PERPETUAL_NOT_RENEWABLE: 422,
  PERPETUAL_REQUIRES_ORGANIZATION: 422,
  SUPPORT_FOLLOWS_TERM: 422,
  UPGRADE_TEMPLATE_INVALID: 422,
  // Key card and hosting-panel operations (spec 04 §3.6, §4.2).
  KEY_HAS_CLIENT_KEY: 409,
  RENEWAL_AWAITING_PAYMENT: 409,
  SECRETS_KEY_NOT_CONFIGURED: 409,
  CONFIGURATION_OUT_OF_LIMITS: 422,
  PAYMENT_NOT_ADDABLE: 422,
  VALID_UNTIL_INVALID: 422,
  LEASE_EXPIRED: 410,
  /** A seat pool of a local license server (spec 04 §5.5). */
  POOL_NOT_FOUND: 404,
  POOL_REQUEST_CONFLICT: 409,
  POOL_VALIDITY_TOO_LONG: 422,
  POOL_LAPSED: 410,
  /** A local license server (spec 04 §1.2 LicenseServer) staff revoked: it obtains and renews no pool. */
  LICENSE_SERVER_REVOKED: 403,
  LICENSE_SERVER_NOT_FOUND: 404,
  /** The local license server has no pool yet: the root has not been reached since it started. */
  POOL_NOT_READY: 503,
  RATE_LIMITED: 429,
  TRIAL_REGISTRATION_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export type ErrorStatus = (typeof errorStatus)[ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The HTTP status this refusal answers with, from the catalogue. */
  get status(): ErrorStatus {
    return errorStatus[this.code];
  }
}

/** A refusal as a value, for rules that answer "may this be done?" without throwing (the UI shows it, the API throws it). */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export const refuse = (refusal: Refusal): AppError => new AppError(refusal.code, refusal.message, refusal.details);

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(errorStatus, code);
