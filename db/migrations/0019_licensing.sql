CREATE TABLE "activation_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"slot_no" integer NOT NULL,
	"activation_count" integer DEFAULT 0 NOT NULL,
	"first_activated_at" timestamp with time zone,
	"policy_reference" jsonb,
	"transfer_state" jsonb,
	"upgrade_seq" integer DEFAULT 0 NOT NULL,
	"custom_license" jsonb,
	"last_upgrade_at" timestamp with time zone,
	"reactivation_allowed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activation_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"account_id" integer,
	"binding_id" integer,
	"action" text NOT NULL,
	"error_code" text,
	"signatures" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupon_activations" (
	"id" serial PRIMARY KEY NOT NULL,
	"coupon_id" integer NOT NULL,
	"key_id" integer NOT NULL,
	"channel" text NOT NULL,
	"actor" text,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"status" text DEFAULT 'applied' NOT NULL,
	"reversed_at" timestamp with time zone,
	"reversed_by" integer,
	"reversal_reason" text,
	"activated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupon_batches" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"count" integer NOT NULL,
	"parameters" jsonb NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"code" text NOT NULL,
	"type" text NOT NULL,
	"distributor_id" integer,
	"items" jsonb NOT NULL,
	"reusable" boolean DEFAULT false NOT NULL,
	"target_key_id" integer,
	"batch_id" integer,
	"comment" text,
	"status" text DEFAULT 'unused' NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupons_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "entitlements" (
	"id" serial PRIMARY KEY NOT NULL,
	"key_id" integer NOT NULL,
	"product_id" integer NOT NULL,
	"subscription_id" integer,
	"seats" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"source" text DEFAULT 'subscription' NOT NULL,
	"kind" text DEFAULT 'paid' NOT NULL,
	"bound_ip" text,
	"superseded_by" integer,
	"partner_id" integer,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entitlements_created_by_unique" UNIQUE("created_by"),
	CONSTRAINT "entitlements_seats" CHECK ("entitlements"."seats" >= 1)
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"id" serial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"machine_id" text NOT NULL,
	"user_name" text NOT NULL,
	"hostname" text,
	"status" text DEFAULT 'active' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "license_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"code" text NOT NULL,
	"client_id" integer,
	"customer" jsonb,
	"status" text DEFAULT 'active' NOT NULL,
	"created_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "license_keys_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "license_transfers" (
	"id" serial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"from_partner_id" integer,
	"to_partner_id" integer NOT NULL,
	"secret_hash" text NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "licensing_partners" (
	"id" serial PRIMARY KEY NOT NULL,
	"public_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "licensing_partners_public_id_unique" UNIQUE("public_id")
);
--> statement-breakpoint
CREATE TABLE "licensing_products" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"license_model" text DEFAULT 'fixed' NOT NULL,
	"term_type" text DEFAULT 'term' NOT NULL,
	"max_activations" integer DEFAULT -1 NOT NULL,
	"activation_policy" text DEFAULT 'Medium' NOT NULL,
	"signature_components" jsonb DEFAULT '["hdd","cpu","bios","ethernet"]'::jsonb NOT NULL,
	"managed_expiration" boolean DEFAULT false NOT NULL,
	"managed_execution" boolean DEFAULT false NOT NULL,
	"non_transferable" boolean DEFAULT false NOT NULL,
	"transfer_time_mode" text DEFAULT 'managed' NOT NULL,
	"trial_days" integer DEFAULT 0 NOT NULL,
	"master_license" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "licensing_products_max" CHECK ("licensing_products"."max_activations" = -1 or "licensing_products"."max_activations" >= 1)
);
--> statement-breakpoint
CREATE TABLE "licensing_vendors" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"public_key" text NOT NULL,
	"private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "licensing_vendors_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "machine_bindings" (
	"id" serial PRIMARY KEY NOT NULL,
	"account_id" integer NOT NULL,
	"machine_id" text NOT NULL,
	"signatures" jsonb NOT NULL,
	"hostname" text,
	"status" text DEFAULT 'active' NOT NULL,
	"issued" jsonb,
	"activated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "upgrade_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"account_id" integer NOT NULL,
	"upgrade_seq" integer NOT NULL,
	"template_id" integer NOT NULL,
	"custom_license" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upgrade_templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"product_id" integer NOT NULL,
	"name" text NOT NULL,
	"max_day_period" integer,
	"max_exec" integer,
	"add_to_existing" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activation_accounts" ADD CONSTRAINT "activation_accounts_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_account_id_activation_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."activation_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_binding_id_machine_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."machine_bindings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_activations" ADD CONSTRAINT "coupon_activations_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_activations" ADD CONSTRAINT "coupon_activations_key_id_license_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."license_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_batches" ADD CONSTRAINT "coupon_batches_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_target_key_id_license_keys_id_fk" FOREIGN KEY ("target_key_id") REFERENCES "public"."license_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_batch_id_coupon_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."coupon_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_key_id_license_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."license_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_product_id_licensing_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."licensing_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_keys" ADD CONSTRAINT "license_keys_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_keys" ADD CONSTRAINT "license_keys_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_transfers" ADD CONSTRAINT "license_transfers_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_transfers" ADD CONSTRAINT "license_transfers_from_partner_id_licensing_partners_id_fk" FOREIGN KEY ("from_partner_id") REFERENCES "public"."licensing_partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_transfers" ADD CONSTRAINT "license_transfers_to_partner_id_licensing_partners_id_fk" FOREIGN KEY ("to_partner_id") REFERENCES "public"."licensing_partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "licensing_products" ADD CONSTRAINT "licensing_products_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD CONSTRAINT "machine_bindings_account_id_activation_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."activation_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_logs" ADD CONSTRAINT "upgrade_logs_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_logs" ADD CONSTRAINT "upgrade_logs_account_id_activation_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."activation_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_logs" ADD CONSTRAINT "upgrade_logs_template_id_upgrade_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."upgrade_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_templates" ADD CONSTRAINT "upgrade_templates_product_id_licensing_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."licensing_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activation_accounts_slot" ON "activation_accounts" USING btree ("entitlement_id","slot_no");--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_activations_once_per_key" ON "coupon_activations" USING btree ("coupon_id","key_id") WHERE "coupon_activations"."status" = 'applied';--> statement-breakpoint
CREATE INDEX "coupons_batch_idx" ON "coupons" USING btree ("batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_subscription" ON "entitlements" USING btree ("subscription_id") WHERE "entitlements"."subscription_id" is not null and "entitlements"."status" <> 'deleted';--> statement-breakpoint
CREATE INDEX "entitlements_key_idx" ON "entitlements" USING btree ("key_id");--> statement-breakpoint
CREATE INDEX "leases_entitlement_idx" ON "leases" USING btree ("entitlement_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "license_keys_client_vendor" ON "license_keys" USING btree ("client_id","vendor_id") WHERE "license_keys"."status" = 'active' and "license_keys"."client_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "license_transfers_one_pending" ON "license_transfers" USING btree ("entitlement_id") WHERE "license_transfers"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "licensing_products_code" ON "licensing_products" USING btree ("vendor_id","code");--> statement-breakpoint
CREATE INDEX "machine_bindings_account_idx" ON "machine_bindings" USING btree ("account_id");