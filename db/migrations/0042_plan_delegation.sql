CREATE TABLE "reseller_charges" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_charge_id" integer NOT NULL,
	"subscription_id" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"creditor_reseller_id" integer NOT NULL,
	"debtor_reseller_id" integer NOT NULL,
	"level" integer NOT NULL,
	"kind" text NOT NULL,
	"resource_key" text,
	"description" text NOT NULL,
	"unit_price" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"period_months" numeric(10, 3) NOT NULL,
	"discount_id" integer,
	"discount_bp" integer DEFAULT 0 NOT NULL,
	"discount_amount" bigint DEFAULT 0 NOT NULL,
	"original_amount" bigint NOT NULL,
	"original_currency" text NOT NULL,
	"exchange_rate" numeric(16, 4) NOT NULL,
	"exchange_nominal" integer NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'closed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reseller_charges_amounts" CHECK ("reseller_charges"."amount" >= 0 and "reseller_charges"."original_amount" >= 0 and "reseller_charges"."discount_amount" >= 0 and "reseller_charges"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "reseller_discounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"reseller_id" integer NOT NULL,
	"child_reseller_id" integer,
	"subscription_id" integer,
	"client_id" integer,
	"plan_id" integer,
	"name" text NOT NULL,
	"percent_bp" integer NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"status" text DEFAULT 'active' NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reseller_discounts_percent" CHECK ("reseller_discounts"."percent_bp" between 1 and 10000),
	CONSTRAINT "reseller_discounts_window" CHECK ("reseller_discounts"."valid_from" is null or "reseller_discounts"."valid_to" is null or "reseller_discounts"."valid_from" <= "reseller_discounts"."valid_to")
);
--> statement-breakpoint
CREATE TABLE "reseller_exchange_rates" (
	"id" serial PRIMARY KEY NOT NULL,
	"reseller_id" integer NOT NULL,
	"base_currency" text NOT NULL,
	"quoted_currency" text NOT NULL,
	"rate" numeric(16, 4) NOT NULL,
	"nominal" integer NOT NULL,
	"valid_from" date NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reseller_exchange_rates_rate_positive" CHECK ("reseller_exchange_rates"."rate" > 0),
	CONSTRAINT "reseller_exchange_rates_nominal_positive" CHECK ("reseller_exchange_rates"."nominal" >= 1),
	CONSTRAINT "reseller_exchange_rates_distinct" CHECK ("reseller_exchange_rates"."base_currency" <> "reseller_exchange_rates"."quoted_currency")
);
--> statement-breakpoint
ALTER TABLE "plan_periods" ADD COLUMN "source_period_id" integer;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "source_plan_id" integer;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "delegated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "chain_length" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "markup" numeric(10, 2);--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_client_charge_id_charges_id_fk" FOREIGN KEY ("client_charge_id") REFERENCES "public"."charges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_creditor_reseller_id_resellers_id_fk" FOREIGN KEY ("creditor_reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_debtor_reseller_id_resellers_id_fk" FOREIGN KEY ("debtor_reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_discount_id_reseller_discounts_id_fk" FOREIGN KEY ("discount_id") REFERENCES "public"."reseller_discounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_child_reseller_id_resellers_id_fk" FOREIGN KEY ("child_reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_discounts" ADD CONSTRAINT "reseller_discounts_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_exchange_rates" ADD CONSTRAINT "reseller_exchange_rates_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_exchange_rates" ADD CONSTRAINT "reseller_exchange_rates_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reseller_charges_one_per_level" ON "reseller_charges" USING btree ("client_charge_id","creditor_reseller_id");--> statement-breakpoint
CREATE INDEX "reseller_charges_pair_idx" ON "reseller_charges" USING btree ("creditor_reseller_id","debtor_reseller_id","id");--> statement-breakpoint
CREATE INDEX "reseller_charges_closed_idx" ON "reseller_charges" USING btree ("closed_at");--> statement-breakpoint
CREATE INDEX "reseller_discounts_grantor_idx" ON "reseller_discounts" USING btree ("reseller_id","child_reseller_id");--> statement-breakpoint
CREATE INDEX "reseller_exchange_rates_pair_idx" ON "reseller_exchange_rates" USING btree ("reseller_id","base_currency","quoted_currency","valid_from","id");--> statement-breakpoint
ALTER TABLE "plan_periods" ADD CONSTRAINT "plan_periods_source_period_id_plan_periods_id_fk" FOREIGN KEY ("source_period_id") REFERENCES "public"."plan_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_source_plan_id_plans_id_fk" FOREIGN KEY ("source_plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plan_periods_source_idx" ON "plan_periods" USING btree ("source_period_id") WHERE "plan_periods"."source_period_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "plans_one_copy_per_reseller" ON "plans" USING btree ("source_plan_id","reseller_id") WHERE "plans"."source_plan_id" is not null;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_markup_positive" CHECK ("plans"."markup" is null or "plans"."markup" > 0);--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_copy_is_delegated" CHECK (("plans"."source_plan_id" is null) = (not "plans"."delegated"));