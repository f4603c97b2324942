-- Exchange rates kept by the operator (spec 02 §4.13, seed manual 8.7.2): `rate` units of the base currency (the
-- client's) per `nominal` units of the quoted currency (the plan's), in force from `valid_from`. Rates are facts:
-- a new rate supersedes, none is edited or deleted, so a charge's recorded rate can always be traced to its row.
CREATE TABLE "exchange_rates" (
	"id" serial PRIMARY KEY NOT NULL,
	"base_currency" text NOT NULL,
	"quoted_currency" text NOT NULL,
	"rate" numeric(16, 4) NOT NULL,
	"nominal" integer NOT NULL,
	"valid_from" date NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exchange_rates_rate_positive" CHECK ("exchange_rates"."rate" > 0),
	CONSTRAINT "exchange_rates_nominal_positive" CHECK ("exchange_rates"."nominal" >= 1),
	CONSTRAINT "exchange_rates_distinct_currencies" CHECK ("exchange_rates"."base_currency" <> "exchange_rates"."quoted_currency")
);
--> statement-breakpoint
ALTER TABLE "exchange_rates" ADD CONSTRAINT "exchange_rates_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_rates_pair_idx" ON "exchange_rates" USING btree ("base_currency","quoted_currency","valid_from","id");--> statement-breakpoint
CREATE OR REPLACE FUNCTION exchange_rates_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'exchange_rates rows are immutable (% refused): add a rate that supersedes it', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER exchange_rates_no_update_delete
  BEFORE UPDATE OR DELETE ON exchange_rates
  FOR EACH ROW EXECUTE FUNCTION exchange_rates_immutable();
--> statement-breakpoint
-- What each charge was converted from (spec 02 §4.1 "currency info", §4.13): null for charges written before.
ALTER TABLE "charges" ADD COLUMN "original_amount" bigint;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "original_currency" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "exchange_rate" numeric(16, 4);--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "exchange_nominal" integer;
