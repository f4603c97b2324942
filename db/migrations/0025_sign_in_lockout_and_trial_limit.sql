CREATE TABLE "sign_in_sources" (
	"address" text PRIMARY KEY NOT NULL,
	"attempts" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "sign_in_sources_window_idx" ON "sign_in_sources" USING btree ("window_started_at");--> statement-breakpoint
CREATE INDEX "entitlements_trials_idx" ON "entitlements" USING btree ("product_id","starts_at") WHERE "entitlements"."source" = 'trial';