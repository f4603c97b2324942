ALTER TABLE "plans" ADD COLUMN "fixed_price" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE TABLE "reseller_cost_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"subscription_id" integer NOT NULL,
	"order_id" integer NOT NULL,
	"level" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"plan_period_id" integer NOT NULL,
	"setup_fee" bigint NOT NULL,
	"recurring_fee" bigint NOT NULL,
	"renewal_fee" bigint NOT NULL,
	"transfer_fee" bigint NOT NULL,
	"resource_prices" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reseller_cost_snapshots" ADD CONSTRAINT "reseller_cost_snapshots_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_cost_snapshots" ADD CONSTRAINT "reseller_cost_snapshots_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_cost_snapshots" ADD CONSTRAINT "reseller_cost_snapshots_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_cost_snapshots" ADD CONSTRAINT "reseller_cost_snapshots_plan_period_id_plan_periods_id_fk" FOREIGN KEY ("plan_period_id") REFERENCES "public"."plan_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reseller_cost_snapshots_one_per_order_level" ON "reseller_cost_snapshots" USING btree ("order_id","plan_period_id");--> statement-breakpoint
CREATE INDEX "reseller_cost_snapshots_lookup_idx" ON "reseller_cost_snapshots" USING btree ("subscription_id","plan_period_id","order_id");--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD COLUMN "reverses_id" integer;--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_reverses_id_reseller_charges_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."reseller_charges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
DROP INDEX "reseller_charges_one_per_level";--> statement-breakpoint
CREATE UNIQUE INDEX "reseller_charges_one_per_level" ON "reseller_charges" USING btree ("client_charge_id","creditor_reseller_id") WHERE "reseller_charges"."reverses_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "reseller_charges_one_reversal" ON "reseller_charges" USING btree ("reverses_id") WHERE "reseller_charges"."reverses_id" is not null;--> statement-breakpoint
ALTER TABLE "reseller_charges" DROP CONSTRAINT "reseller_charges_amounts";--> statement-breakpoint
ALTER TABLE "reseller_charges" ADD CONSTRAINT "reseller_charges_amounts" CHECK ("reseller_charges"."quantity" > 0 and (("reseller_charges"."reverses_id" is null and "reseller_charges"."amount" >= 0 and "reseller_charges"."original_amount" >= 0 and "reseller_charges"."discount_amount" >= 0) or ("reseller_charges"."reverses_id" is not null and "reseller_charges"."amount" <= 0 and "reseller_charges"."original_amount" <= 0 and "reseller_charges"."discount_amount" <= 0)));
