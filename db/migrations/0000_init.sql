CREATE SEQUENCE "public"."doc_seq_act" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_payment" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_plan_switch_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_prolongation_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_promised_payment" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_purchase_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_renewal_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."doc_seq_resource_change_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "plan_periods" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"duration" integer NOT NULL,
	"unit" text NOT NULL,
	"trial" boolean DEFAULT false NOT NULL,
	"unlimited" boolean DEFAULT false NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"setup_fee" bigint DEFAULT 0 NOT NULL,
	"recurring_fee" bigint DEFAULT 0 NOT NULL,
	"renewal_fee" bigint DEFAULT 0 NOT NULL,
	"transfer_fee" bigint DEFAULT 0 NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_periods_duration" CHECK ("plan_periods"."duration" > 0),
	CONSTRAINT "plan_periods_prices" CHECK ("plan_periods"."setup_fee" >= 0 and "plan_periods"."recurring_fee" >= 0 and "plan_periods"."renewal_fee" >= 0 and "plan_periods"."transfer_fee" >= 0),
	CONSTRAINT "plan_periods_trial_not_unlimited" CHECK (not ("plan_periods"."trial" and "plan_periods"."unlimited"))
);
--> statement-breakpoint
CREATE TABLE "plan_resources" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"unit_type" text DEFAULT 'units' NOT NULL,
	"included" integer DEFAULT 0 NOT NULL,
	"minimum" integer DEFAULT 0 NOT NULL,
	"maximum" integer,
	"setup_price" bigint DEFAULT 0 NOT NULL,
	"recurring_price" bigint DEFAULT 0 NOT NULL,
	"renewal_price" bigint DEFAULT 0 NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" serial PRIMARY KEY NOT NULL,
	"product_id" integer NOT NULL,
	"service_template_id" integer NOT NULL,
	"provisioning_rule_id" integer NOT NULL,
	"name" text NOT NULL,
	"sku" text,
	"description" text,
	"billing_type" text DEFAULT 'prepaid_term' NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"single" boolean DEFAULT false NOT NULL,
	"auto_renew" boolean DEFAULT true NOT NULL,
	"lock_auto_renew" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provisioning_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"financial_day" integer DEFAULT 1 NOT NULL,
	"promised_payment_allowed" boolean DEFAULT false NOT NULL,
	"manual_renew_point_days" integer DEFAULT -1 NOT NULL,
	"auto_renew_point_days" integer DEFAULT 0 NOT NULL,
	"unpaid_stop_after_days" integer DEFAULT 0 NOT NULL,
	"blocking_period_days" integer DEFAULT 30 NOT NULL,
	"client_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provisioning_rules_key_unique" UNIQUE("key"),
	CONSTRAINT "provisioning_rules_name_unique" UNIQUE("name"),
	CONSTRAINT "provisioning_rules_financial_day" CHECK ("provisioning_rules"."financial_day" between 1 and 28),
	CONSTRAINT "provisioning_rules_auto_point" CHECK ("provisioning_rules"."auto_renew_point_days" >= 0),
	CONSTRAINT "provisioning_rules_manual_point" CHECK ("provisioning_rules"."manual_renew_point_days" = -1 or "provisioning_rules"."manual_renew_point_days" >= "provisioning_rules"."auto_renew_point_days"),
	CONSTRAINT "provisioning_rules_periods" CHECK ("provisioning_rules"."unpaid_stop_after_days" >= 0 and "provisioning_rules"."blocking_period_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "service_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"color" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"stop_mode" text DEFAULT 'automatic' NOT NULL,
	"delete_mode" text DEFAULT 'automatic' NOT NULL,
	"default_payment_model" text DEFAULT 'prepay' NOT NULL,
	"credit_threshold" bigint DEFAULT 0 NOT NULL,
	"allow_negative_balance_payment" boolean DEFAULT false NOT NULL,
	"negative_balance_days" integer DEFAULT -1 NOT NULL,
	"unpaid_order_cancel_days" integer DEFAULT 14 NOT NULL,
	"subscription_credit_limit" bigint DEFAULT 0 NOT NULL,
	"payment_deferral_days" integer DEFAULT 0 NOT NULL,
	"promised_payment_limit" bigint DEFAULT 0 NOT NULL,
	"promised_payment_days" integer DEFAULT 0 NOT NULL,
	"manual_first_prepaid_provisioning" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_rules_key_unique" UNIQUE("key"),
	CONSTRAINT "service_rules_threshold_nonnegative" CHECK ("service_rules"."credit_threshold" >= 0),
	CONSTRAINT "service_rules_negative_days" CHECK ("service_rules"."negative_balance_days" >= -1),
	CONSTRAINT "service_rules_cancel_days" CHECK ("service_rules"."unpaid_order_cancel_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "service_templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"plugin" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"capabilities" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"staff_id" integer NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "client_contacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"language" text,
	"role" text DEFAULT 'owner' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"client_type" text DEFAULT 'legal_entity' NOT NULL,
	"service_rule_id" integer NOT NULL,
	"manager_id" integer,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"credit_threshold_override" bigint,
	"subscription_credit_limit_override" bigint,
	"postpay_permission" text DEFAULT 'not_checked' NOT NULL,
	"negative_since" timestamp with time zone,
	"trial" boolean DEFAULT false NOT NULL,
	"self_registered" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_threshold_nonnegative" CHECK ("clients"."credit_threshold_override" is null or "clients"."credit_threshold_override" >= 0)
);
--> statement-breakpoint
CREATE TABLE "event_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" integer,
	"via_api" boolean DEFAULT false NOT NULL,
	"entity_kind" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"reason" text,
	"changes" jsonb,
	"dedupe_key" text,
	CONSTRAINT "event_log_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"staff_id" integer NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_staff_id_key_pk" PRIMARY KEY("staff_id","key")
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_after" bigint NOT NULL,
	"currency" text NOT NULL,
	"payment_id" integer,
	"order_id" integer,
	"description" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transactions_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"kind" text DEFAULT 'subscription' NOT NULL,
	"price_type" text NOT NULL,
	"description" text NOT NULL,
	"quantity" integer DEFAULT 1 NOT NULL,
	"period_months" numeric(10, 3) NOT NULL,
	"unit_price" bigint NOT NULL,
	"discount" bigint DEFAULT 0 NOT NULL,
	"amount" bigint NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"client_id" integer NOT NULL,
	"subscription_id" integer,
	"plan_id" integer NOT NULL,
	"plan_period_id" integer NOT NULL,
	"payment_model" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"discount" bigint DEFAULT 0 NOT NULL,
	"end_date" date NOT NULL,
	"provisioning_date" date,
	"deferred" boolean DEFAULT false NOT NULL,
	"subscription_name" text,
	"customer_ip" text,
	"created_by" integer,
	"workflow_id" text NOT NULL,
	"scenario_started_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_number_unique" UNIQUE("number"),
	CONSTRAINT "orders_workflow_id_unique" UNIQUE("workflow_id"),
	CONSTRAINT "orders_amount_nonnegative" CHECK ("orders"."amount" >= 0 and "orders"."discount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"client_id" integer NOT NULL,
	"order_id" integer,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"method" text,
	"comment" text,
	"balance_after" bigint,
	"confirmed_by" integer,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_number_unique" UNIQUE("number"),
	CONSTRAINT "payments_amount_nonnegative" CHECK ("payments"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "subscription_resources" (
	"id" serial PRIMARY KEY NOT NULL,
	"subscription_id" integer NOT NULL,
	"key" text NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"plan_period_id" integer NOT NULL,
	"service_template_id" integer NOT NULL,
	"provisioning_rule_id" integer NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'new_order' NOT NULL,
	"saved_status" text,
	"status_reason" text,
	"billing_type" text NOT NULL,
	"payment_model" text NOT NULL,
	"trial" boolean DEFAULT false NOT NULL,
	"currency" text NOT NULL,
	"start_date" date,
	"expiration_date" date,
	"prolonged_until" date,
	"auto_renew" boolean DEFAULT true NOT NULL,
	"lock_auto_renew" boolean DEFAULT false NOT NULL,
	"auto_renew_point_days" integer DEFAULT 0 NOT NULL,
	"manual_renew_point_days" integer DEFAULT -1 NOT NULL,
	"credit_limit_override" bigint,
	"individual_price" boolean DEFAULT false NOT NULL,
	"promo_code" text,
	"manager_id" integer,
	"vendor_reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_manual_point" CHECK ("subscriptions"."manual_renew_point_days" = -1 or "subscriptions"."manual_renew_point_days" >= "subscriptions"."auto_renew_point_days")
);
--> statement-breakpoint
CREATE TABLE "scenario_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"scenario_id" text NOT NULL,
	"path" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"input" jsonb,
	"decided_by" integer,
	"decided_at" timestamp with time zone NOT NULL,
	"dedupe_key" text NOT NULL,
	CONSTRAINT "scenario_decisions_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "scenario_steps" (
	"scenario_id" text NOT NULL,
	"path" text NOT NULL,
	"parent_path" text,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"plugin" text,
	"operation" text,
	"idempotency_key" text,
	"input" jsonb,
	"output" jsonb,
	"error_class" text,
	"error_message" text,
	"rounds" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"seq" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scenario_steps_scenario_id_path_pk" PRIMARY KEY("scenario_id","path")
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"type" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"status" text NOT NULL,
	"current_step" text,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"seq" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "step_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"scenario_id" text NOT NULL,
	"path" text NOT NULL,
	"round" integer NOT NULL,
	"attempt" integer NOT NULL,
	"status" text NOT NULL,
	"error_class" text,
	"error_message" text,
	"response_excerpt" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer
);
--> statement-breakpoint
ALTER TABLE "plan_periods" ADD CONSTRAINT "plan_periods_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_resources" ADD CONSTRAINT "plan_resources_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_service_template_id_service_templates_id_fk" FOREIGN KEY ("service_template_id") REFERENCES "public"."service_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_provisioning_rule_id_provisioning_rules_id_fk" FOREIGN KEY ("provisioning_rule_id") REFERENCES "public"."provisioning_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_contacts" ADD CONSTRAINT "client_contacts_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_service_rule_id_service_rules_id_fk" FOREIGN KEY ("service_rule_id") REFERENCES "public"."service_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_manager_id_staff_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_plan_period_id_plan_periods_id_fk" FOREIGN KEY ("plan_period_id") REFERENCES "public"."plan_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_confirmed_by_staff_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_resources" ADD CONSTRAINT "subscription_resources_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_plan_period_id_plan_periods_id_fk" FOREIGN KEY ("plan_period_id") REFERENCES "public"."plan_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_service_template_id_service_templates_id_fk" FOREIGN KEY ("service_template_id") REFERENCES "public"."service_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_provisioning_rule_id_provisioning_rules_id_fk" FOREIGN KEY ("provisioning_rule_id") REFERENCES "public"."provisioning_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_manager_id_staff_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenario_steps" ADD CONSTRAINT "scenario_steps_scenario_id_scenarios_id_fk" FOREIGN KEY ("scenario_id") REFERENCES "public"."scenarios"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "service_rules_one_default" ON "service_rules" USING btree ("is_default") WHERE "service_rules"."is_default";--> statement-breakpoint
CREATE INDEX "clients_status_idx" ON "clients" USING btree ("status");--> statement-breakpoint
CREATE INDEX "event_log_entity_idx" ON "event_log" USING btree ("entity_kind","entity_id","id");--> statement-breakpoint
CREATE INDEX "ledger_client_idx" ON "ledger_transactions" USING btree ("client_id","id");--> statement-breakpoint
CREATE INDEX "orders_client_idx" ON "orders" USING btree ("client_id","id");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "orders_subscription_idx" ON "orders" USING btree ("subscription_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_one_open_per_subscription" ON "orders" USING btree ("subscription_id") WHERE "orders"."status" not in ('completed', 'cancelled') and "orders"."subscription_id" is not null;--> statement-breakpoint
CREATE INDEX "payments_client_idx" ON "payments" USING btree ("client_id","id");--> statement-breakpoint
CREATE INDEX "payments_order_idx" ON "payments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payments_status_idx" ON "payments" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "subscriptions_client_idx" ON "subscriptions" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "subscriptions_status_idx" ON "subscriptions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "subscriptions_expiration_idx" ON "subscriptions" USING btree ("expiration_date");--> statement-breakpoint
CREATE INDEX "scenario_decisions_scenario_idx" ON "scenario_decisions" USING btree ("scenario_id");--> statement-breakpoint
CREATE INDEX "scenario_steps_status_idx" ON "scenario_steps" USING btree ("status");--> statement-breakpoint
CREATE INDEX "scenarios_subject_idx" ON "scenarios" USING btree ("subject_kind","subject_id");--> statement-breakpoint
CREATE INDEX "scenarios_status_idx" ON "scenarios" USING btree ("status","started_at");--> statement-breakpoint
CREATE INDEX "scenarios_type_idx" ON "scenarios" USING btree ("type","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "step_attempts_unique" ON "step_attempts" USING btree ("scenario_id","path","round","attempt");