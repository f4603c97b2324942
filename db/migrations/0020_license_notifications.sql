-- The licensing plugin's delivery mail (spec 04 §5.5) is the notification event `license_issued`, written to
-- the outbox when an entitlement is created for a subscription, in the same transaction (see 0017).
CREATE FUNCTION notify_entitlements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.subscription_id IS NOT NULL THEN
    PERFORM emit_notification_event('license_issued', 'license', NEW.id::text,
      (SELECT client_id FROM license_keys WHERE id = NEW.key_id), 'license_issued/entitlement-' || NEW.id, '{}'::jsonb);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER entitlements_notify AFTER INSERT ON entitlements FOR EACH ROW EXECUTE FUNCTION notify_entitlements();
