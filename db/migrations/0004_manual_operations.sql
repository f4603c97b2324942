CREATE TABLE "manual_operations" (
	"id" serial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"scenario_id" text NOT NULL,
	"step_path" text NOT NULL,
	"round" integer NOT NULL,
	"client_id" integer NOT NULL,
	"subscription_id" integer,
	"order_id" integer,
	"description" text NOT NULL,
	"comment" text,
	"output" jsonb,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "manual_operations_step_round" ON "manual_operations" USING btree ("scenario_id","step_path","round");--> statement-breakpoint
CREATE INDEX "manual_operations_status_idx" ON "manual_operations" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "manual_operations_client_idx" ON "manual_operations" USING btree ("client_id","id");