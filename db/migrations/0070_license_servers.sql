CREATE TABLE "license_servers" (
	"id" serial PRIMARY KEY NOT NULL,
	"key_id" integer NOT NULL,
	"server_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	"last_sync_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	"revocation_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "license_servers" ADD CONSTRAINT "license_servers_key_id_license_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."license_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_servers" ADD CONSTRAINT "license_servers_revoked_by_staff_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "license_servers_key_server" ON "license_servers" USING btree ("key_id","server_id");--> statement-breakpoint
ALTER TABLE "seat_pools" ADD COLUMN "license_server_id" integer;--> statement-breakpoint
INSERT INTO "license_servers" ("key_id", "server_id", "registered_at", "last_sync_at")
	SELECT e."key_id", sp."server_id", min(sp."created_at"), max(coalesce(sp."renewed_at", sp."created_at"))
	FROM "seat_pools" sp JOIN "entitlements" e ON e."id" = sp."entitlement_id"
	GROUP BY e."key_id", sp."server_id";--> statement-breakpoint
UPDATE "seat_pools" sp SET "license_server_id" = ls."id"
	FROM "entitlements" e, "license_servers" ls
	WHERE e."id" = sp."entitlement_id" AND ls."key_id" = e."key_id" AND ls."server_id" = sp."server_id";--> statement-breakpoint
ALTER TABLE "seat_pools" ALTER COLUMN "license_server_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "seat_pools" ADD CONSTRAINT "seat_pools_license_server_id_license_servers_id_fk" FOREIGN KEY ("license_server_id") REFERENCES "public"."license_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seat_pools_license_server_idx" ON "seat_pools" USING btree ("license_server_id");
