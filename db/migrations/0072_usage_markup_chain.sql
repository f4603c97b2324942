ALTER TABLE "charges" ADD COLUMN "usage_cost" numeric(34, 8);--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "usage_markups" jsonb;--> statement-breakpoint
ALTER TABLE "reseller_cost_snapshots" ADD COLUMN "usage_markup" numeric(10, 4);--> statement-breakpoint
ALTER TABLE "usage_records" ALTER COLUMN "markup" SET DATA TYPE numeric;
