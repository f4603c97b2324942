CREATE TABLE "license_major_updates" (
	"id" serial PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"from_major" integer NOT NULL,
	"target_major" integer NOT NULL,
	"outcome" text NOT NULL,
	"percent" integer NOT NULL,
	"price" bigint NOT NULL,
	"currency" text,
	"support_included" boolean NOT NULL,
	"status" text DEFAULT 'quoted' NOT NULL,
	"paid_via" text,
	"payment_reference" text,
	"applied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "licensing_products" ADD COLUMN "major_releases" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "licensing_products" ADD COLUMN "retail_price" bigint;--> statement-breakpoint
ALTER TABLE "licensing_products" ADD COLUMN "retail_currency" text;--> statement-breakpoint
ALTER TABLE "license_major_updates" ADD CONSTRAINT "license_major_updates_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "license_major_updates_one_quote" ON "license_major_updates" USING btree ("entitlement_id") WHERE "license_major_updates"."status" = 'quoted';--> statement-breakpoint
CREATE INDEX "license_major_updates_entitlement_idx" ON "license_major_updates" USING btree ("entitlement_id");