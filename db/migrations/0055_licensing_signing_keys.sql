CREATE TABLE "licensing_signing_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"vendor_id" integer NOT NULL,
	"public_key" text NOT NULL,
	"private_key_sealed" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "licensing_signing_keys" ADD CONSTRAINT "licensing_signing_keys_vendor_id_licensing_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."licensing_vendors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "licensing_signing_keys_one_active" ON "licensing_signing_keys" USING btree ("vendor_id") WHERE "licensing_signing_keys"."status" = 'active';--> statement-breakpoint
CREATE INDEX "licensing_signing_keys_vendor_idx" ON "licensing_signing_keys" USING btree ("vendor_id");--> statement-breakpoint
-- Each vendor's key pair moves here as its active key. The private key is still plain PEM: the migration cannot
-- encrypt it (the encryption key is configuration, never in the database); the API seals it at its next start
-- (operations/licensing/signing/seal-legacy-signing-keys.ts).
INSERT INTO "licensing_signing_keys" ("vendor_id", "public_key", "private_key_sealed", "status", "created_at")
SELECT "id", "public_key", "private_key", 'active', "created_at" FROM "licensing_vendors";--> statement-breakpoint
ALTER TABLE "licensing_vendors" DROP COLUMN "public_key";--> statement-breakpoint
ALTER TABLE "licensing_vendors" DROP COLUMN "private_key";