-- Issue 20: one growing usage charge per subscription, financial period and price version (spec 02 §4.10): the
-- exact sum of its records' Δ is kept in `usage_amount` (Δ has fractions of a minor unit); `amount` is it rounded.
-- A price change starts a new version, hence a new charge; only one blocked charge per version is growing.
ALTER TABLE "charges" ADD COLUMN "usage_period" date;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "usage_rate_version" integer;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "usage_amount" numeric(34, 8);--> statement-breakpoint
CREATE UNIQUE INDEX "charges_usage_growing" ON "charges" USING btree ("subscription_id","usage_period","usage_rate_version") WHERE "charges"."kind" = 'usage' and "charges"."status" = 'blocked' and not "charges"."superseded";
