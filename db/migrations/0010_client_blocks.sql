CREATE TABLE "client_blocks" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"kind" text NOT NULL,
	"n" integer NOT NULL,
	"reason" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"block_scenario_started_at" timestamp with time zone,
	"unblock_scenario_started_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "client_blocks" ADD CONSTRAINT "client_blocks_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "client_blocks_n" ON "client_blocks" USING btree ("client_id","kind","n");--> statement-breakpoint
CREATE UNIQUE INDEX "client_blocks_one_open" ON "client_blocks" USING btree ("client_id","kind") WHERE "client_blocks"."ended_at" is null;