-- Issue 20: pay-as-you-go (spec 02 §4.10). Usage records are append-only and deduplicated by the provider's
-- (source, record id), so a re-sent batch never bills twice; the rollup keeps one row per subscription, resource,
-- financial period and day, written in the ingestion's own transaction, so reads never scan the raw records.
CREATE TABLE "usage_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"record_id" text NOT NULL,
	"subscription_id" integer NOT NULL,
	"resource" text NOT NULL,
	"quantity" numeric(24, 6) NOT NULL,
	"used_on" date NOT NULL,
	"period_days" integer NOT NULL,
	"unit_price" numeric(24, 6) NOT NULL,
	"markup" numeric(10, 4) NOT NULL,
	"amount" numeric(30, 8) NOT NULL,
	"financial_period" date NOT NULL,
	"charge_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_records_quantity_nonnegative" CHECK ("usage_records"."quantity" >= 0),
	CONSTRAINT "usage_records_period_days" CHECK ("usage_records"."period_days" between 1 and 31)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "usage_records_source_record" ON "usage_records" USING btree ("source","record_id");--> statement-breakpoint
CREATE INDEX "usage_records_charge_idx" ON "usage_records" USING btree ("charge_id","id");--> statement-breakpoint
CREATE INDEX "usage_records_subscription_idx" ON "usage_records" USING btree ("subscription_id","financial_period");--> statement-breakpoint
CREATE OR REPLACE FUNCTION usage_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usage_records are append-only';
END $$;--> statement-breakpoint
CREATE TRIGGER "usage_records_append_only" BEFORE UPDATE OR DELETE ON "usage_records" FOR EACH ROW EXECUTE FUNCTION usage_records_append_only();--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"subscription_id" integer NOT NULL,
	"financial_period" date NOT NULL,
	"resource" text NOT NULL,
	"day" date NOT NULL,
	"quantity" numeric(30, 6) NOT NULL,
	"amount" numeric(34, 8) NOT NULL,
	"records" integer NOT NULL,
	CONSTRAINT "usage_daily_pk" PRIMARY KEY("subscription_id","financial_period","resource","day")
);
--> statement-breakpoint
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_charge_id_charges_id_fk" FOREIGN KEY ("charge_id") REFERENCES "public"."charges"("id") ON DELETE no action ON UPDATE no action;
