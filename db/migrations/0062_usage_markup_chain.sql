ALTER TABLE "plans" ADD COLUMN IF NOT EXISTS "fixed_price" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "usage_upstream_markups" jsonb;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "usage_cost" numeric(34, 8);--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "usage_markups" jsonb;--> statement-breakpoint
ALTER TABLE "usage_records" ALTER COLUMN "markup" SET DATA TYPE numeric;
