CREATE TABLE "license_renewals" (
	"id" serial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"period_months" integer NOT NULL,
	"price" bigint NOT NULL,
	"currency" text NOT NULL,
	"payment_method" text NOT NULL,
	"payment_id" integer,
	"status" text NOT NULL,
	"expires_at_before" timestamp with time zone,
	"expires_at_after" timestamp with time zone,
	"applied_at" timestamp with time zone,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "license_renewals_price" CHECK ("license_renewals"."price" >= 0 and "license_renewals"."period_months" >= 1)
);
--> statement-breakpoint
ALTER TABLE "activation_logs" ADD COLUMN "cause" text;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD COLUMN "machine_id" text;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "admin_password_enc" text;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "auto_renew_months" integer;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "configuration" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD COLUMN "ip" text;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD COLUMN "database_id" text;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD COLUMN "database_name" text;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD COLUMN "user_name" text;--> statement-breakpoint
ALTER TABLE "license_renewals" ADD CONSTRAINT "license_renewals_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_renewals" ADD CONSTRAINT "license_renewals_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_renewals" ADD CONSTRAINT "license_renewals_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "license_renewals_payment_idx" ON "license_renewals" USING btree ("payment_id") WHERE "license_renewals"."status" = 'awaiting_payment';--> statement-breakpoint
CREATE UNIQUE INDEX "license_renewals_one_waiting" ON "license_renewals" USING btree ("entitlement_id") WHERE "license_renewals"."status" = 'awaiting_payment';--> statement-breakpoint
CREATE INDEX "activation_logs_entitlement_idx" ON "activation_logs" USING btree ("entitlement_id","id");--> statement-breakpoint
CREATE INDEX "activation_logs_machine_idx" ON "activation_logs" USING btree ("machine_id");--> statement-breakpoint
-- Backfill: rows written before the column know their machine through their binding.
UPDATE "activation_logs" l SET "machine_id" = b."machine_id" FROM "machine_bindings" b WHERE b."id" = l."binding_id" AND l."machine_id" IS NULL;
