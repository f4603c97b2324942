CREATE TABLE "seat_pools" (
	"id" text PRIMARY KEY NOT NULL,
	"entitlement_id" integer NOT NULL,
	"server_id" text NOT NULL,
	"seats" integer NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"request_key" text NOT NULL,
	"document" jsonb NOT NULL,
	"renewed_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "seat_pools_seats" CHECK ("seat_pools"."seats" >= 1)
);
--> statement-breakpoint
ALTER TABLE "seat_pools" ADD CONSTRAINT "seat_pools_entitlement_id_entitlements_id_fk" FOREIGN KEY ("entitlement_id") REFERENCES "public"."entitlements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "seat_pools_request" ON "seat_pools" USING btree ("entitlement_id","request_key");--> statement-breakpoint
CREATE INDEX "seat_pools_entitlement_idx" ON "seat_pools" USING btree ("entitlement_id","valid_until") WHERE "seat_pools"."status" = 'active';