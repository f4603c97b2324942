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
CREATE TABLE "entitlements" (
	"id" serial PRIMARY KEY NOT NULL,
	"key_id" integer NOT NULL,
	"product_id" integer NOT NULL,
	"subscription_id" integer,
	"seats" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entitlements_created_by_unique" UNIQUE("created_by"),
	CONSTRAINT "entitlements_seats" CHECK ("entitlements"."seats" >= 1)
);
--> statement-breakpoint
CREATE TABLE "license_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"code" text NOT NULL,
	"client_id" integer,
	"status" text DEFAULT 'active' NOT NULL,
	"created_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "license_keys_code_unique" UNIQUE("code")
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
ALTER TABLE "activation_accounts" ADD CONSTRAINT "activation_accounts_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_account_id_activation_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."activation_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_logs" ADD CONSTRAINT "activation_logs_binding_id_machine_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."machine_bindings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_key_id_license_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."license_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_product_id_licensing_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."licensing_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_keys" ADD CONSTRAINT "license_keys_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_keys" ADD CONSTRAINT "license_keys_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "licensing_products" ADD CONSTRAINT "licensing_products_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_bindings" ADD CONSTRAINT "machine_bindings_account_id_activation_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."activation_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activation_accounts_slot" ON "activation_accounts" USING btree ("entitlement_id","slot_no");--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_subscription" ON "entitlements" USING btree ("subscription_id") WHERE "entitlements"."subscription_id" is not null and "entitlements"."status" <> 'deleted';--> statement-breakpoint
CREATE INDEX "entitlements_key_idx" ON "entitlements" USING btree ("key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "license_keys_client_vendor" ON "license_keys" USING btree ("client_id","vendor_id") WHERE "license_keys"."status" = 'active' and "license_keys"."client_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "licensing_products_code" ON "licensing_products" USING btree ("vendor_id","code");--> statement-breakpoint
CREATE INDEX "machine_bindings_account_idx" ON "machine_bindings" USING btree ("account_id");