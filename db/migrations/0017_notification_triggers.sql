-- Notification events (spec 03 §6) are written to the outbox `notification_events` by triggers, in the same
-- transaction as the change that causes them: no code path can change a status and forget the event, and
-- a rolled-back change leaves no event. The dedupe key names the event, the record, the transition and the
-- transaction, so the same change never makes two events. The facts keep the values as they were at the
-- change (the new status and the previous one): the event is handled later, when the record may have moved on.
CREATE FUNCTION emit_notification_event(p_event text, p_kind text, p_id text, p_client integer, p_key text, p_facts jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO notification_events (event, subject_kind, subject_id, client_id, dedupe_key, facts)
  VALUES (p_event, p_kind, p_id, p_client, p_key, coalesce(p_facts, '{}'::jsonb))
  ON CONFLICT (dedupe_key) DO NOTHING;
END $$;
--> statement-breakpoint
CREATE FUNCTION notify_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status = 'awaiting_payment' THEN
      PERFORM emit_notification_event('order_created', 'order', NEW.id::text, NEW.client_id, 'order_created/order-' || NEW.id, '{}'::jsonb);
    END IF;
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM emit_notification_event('order_changed', 'order', NEW.id::text, NEW.client_id,
      'order_changed/order-' || NEW.id || '/' || OLD.status || '>' || NEW.status || '/' || txid_current(),
      jsonb_build_object('order.status', NEW.status, 'order.status.was', OLD.status));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER orders_notify AFTER INSERT OR UPDATE OF status ON orders FOR EACH ROW EXECUTE FUNCTION notify_orders();
--> statement-breakpoint
CREATE FUNCTION notify_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Spec 03 §6 #17: active, payment overdue, stopped, blocked, awaiting manual confirmation, deleted (not an
  -- order that never became a subscription); transitional and error statuses are the scenarios' business.
  IF NEW.status IS DISTINCT FROM OLD.status
     AND NEW.status IN ('active', 'payment_overdue', 'stopped', 'blocked', 'awaiting_manual_confirmation', 'deleted')
     AND NOT (NEW.status = 'deleted' AND OLD.status IN ('new_order', 'installing', 'install_error')) THEN
    PERFORM emit_notification_event('subscription_changed', 'subscription', NEW.id::text, NEW.client_id,
      'subscription_changed/subscription-' || NEW.id || '/' || OLD.status || '>' || NEW.status || '/' || txid_current(),
      jsonb_build_object('subscription.status', NEW.status, 'subscription.status.was', OLD.status));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_notify AFTER UPDATE OF status ON subscriptions FOR EACH ROW EXECUTE FUNCTION notify_subscriptions();
--> statement-breakpoint
CREATE FUNCTION notify_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.merged THEN
      PERFORM emit_notification_event('joined_payment_created', 'payment', NEW.id::text, NEW.client_id, 'joined_payment_created/payment-' || NEW.id, '{}'::jsonb);
    ELSIF NEW.type = 'postpay_services' THEN
      PERFORM emit_notification_event('postpay_payment_created', 'payment', NEW.id::text, NEW.client_id, 'postpay_payment_created/payment-' || NEW.id, '{}'::jsonb);
    ELSIF NEW.status IN ('completed', 'paid_from_balance') THEN
      -- A top-up recorded as it arrives is received at once.
      PERFORM emit_notification_event('payment_received', 'payment', NEW.id::text, NEW.client_id, 'payment_received/payment-' || NEW.id || '/new>' || NEW.status, '{}'::jsonb);
    END IF;
  -- A payment cancelled because it was merged is not "received": its orders moved to the merged payment.
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('completed', 'paid_from_balance', 'cancelled')
        AND NOT (NEW.status = 'cancelled' AND NEW.merged_into_id IS NOT NULL) THEN
    PERFORM emit_notification_event('payment_received', 'payment', NEW.id::text, NEW.client_id,
      'payment_received/payment-' || NEW.id || '/' || OLD.status || '>' || NEW.status,
      jsonb_build_object('payment.status', NEW.status, 'payment.status.was', OLD.status));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_notify AFTER INSERT OR UPDATE OF status ON payments FOR EACH ROW EXECUTE FUNCTION notify_payments();
--> statement-breakpoint
CREATE FUNCTION notify_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM emit_notification_event('account_created', 'client', NEW.id::text, NEW.id, 'account_created/client-' || NEW.id, '{}'::jsonb);
    RETURN NULL;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status
     AND (NEW.status IN ('financially_blocked', 'administratively_blocked') OR OLD.status IN ('financially_blocked', 'administratively_blocked')) THEN
    PERFORM emit_notification_event('account_changed', 'client', NEW.id::text, NEW.id,
      'account_changed/client-' || NEW.id || '/' || OLD.status || '>' || NEW.status || '/' || txid_current(),
      jsonb_build_object('account.status', NEW.status, 'account.status.was', OLD.status));
  END IF;
  -- Spec 03 §6 #8: once per crossing from above zero to zero or below.
  IF NEW.balance <= 0 AND OLD.balance > 0 THEN
    PERFORM emit_notification_event('low_balance', 'client', NEW.id::text, NEW.id,
      'low_balance/client-' || NEW.id || '/' || txid_current(),
      jsonb_build_object('account.balance', NEW.balance, 'account.balance.was', OLD.balance));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER clients_notify AFTER INSERT OR UPDATE OF status, balance ON clients FOR EACH ROW EXECUTE FUNCTION notify_clients();
--> statement-breakpoint
CREATE FUNCTION notify_promised_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM emit_notification_event('promised_payment_created', 'promised_payment', NEW.id::text, NEW.client_id, 'promised_payment_created/promised-' || NEW.id, '{}'::jsonb);
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM emit_notification_event('promised_payment_changed', 'promised_payment', NEW.id::text, NEW.client_id,
      'promised_payment_changed/promised-' || NEW.id || '/' || OLD.status || '>' || NEW.status,
      jsonb_build_object('guaranteed_payment.status', NEW.status, 'guaranteed_payment.status.was', OLD.status));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER promised_payments_notify AFTER INSERT OR UPDATE OF status ON promised_payments FOR EACH ROW EXECUTE FUNCTION notify_promised_payments();
--> statement-breakpoint
CREATE FUNCTION notify_manual_operations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM emit_notification_event('manual_operation', 'manual_operation', NEW.id::text, NEW.client_id,
      'manual_operation/operation-' || NEW.id || '/' || NEW.status,
      CASE WHEN TG_OP = 'INSERT' THEN jsonb_build_object('operation.status', NEW.status) ELSE jsonb_build_object('operation.status', NEW.status, 'operation.status.was', OLD.status) END);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER manual_operations_notify AFTER INSERT OR UPDATE OF status ON manual_operations FOR EACH ROW EXECUTE FUNCTION notify_manual_operations();
--> statement-breakpoint
CREATE FUNCTION notify_task_steps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A plugin call that failed for good waits in the task queue: tell support once per decision round.
  IF NEW.kind = 'task' AND NEW.status = 'failed' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'failed') THEN
    PERFORM emit_notification_event('task_failed', 'task', NEW.id::text, NULL,
      'task_failed/step-' || NEW.id || '/round-' || NEW.rounds, '{}'::jsonb);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER scenario_steps_notify AFTER INSERT OR UPDATE OF status ON scenario_steps FOR EACH ROW EXECUTE FUNCTION notify_task_steps();
