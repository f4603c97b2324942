ALTER TABLE "entitlements" ADD COLUMN "auto_renew_price" bigint;--> statement-breakpoint
ALTER TABLE "license_renewals" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "license_renewals_idempotency_key" ON "license_renewals" USING btree ("idempotency_key");
