ALTER TABLE "entitlements" ADD COLUMN "support_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "entitled_major" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "update_anchor_at" timestamp with time zone;