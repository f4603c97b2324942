CREATE TABLE "resellers" (
	"id" serial PRIMARY KEY NOT NULL,
	"parent_id" integer,
	"path" integer[] NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	"manager_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resellers_path_ends_with_itself" CHECK ("resellers"."path"[array_length("resellers"."path", 1)] = "resellers"."id")
);
--> statement-breakpoint
-- The operator is the root reseller (spec 05 §1.1; decision 35 lifted: existing data belongs to the root). Its
-- currency is the one most of the existing clients have, EUR on an empty installation.
INSERT INTO "resellers" ("id", "parent_id", "path", "name", "currency")
VALUES (1, NULL, '{1}', 'Operator', COALESCE((SELECT "currency" FROM "clients" GROUP BY "currency" ORDER BY count(*) DESC, "currency" LIMIT 1), 'EUR'));--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('"resellers"', 'id'), 1);--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "resellers" ADD CONSTRAINT "resellers_parent_id_resellers_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resellers" ADD CONSTRAINT "resellers_manager_id_staff_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "resellers_path_idx" ON "resellers" USING gin ("path");--> statement-breakpoint
CREATE INDEX "resellers_parent_idx" ON "resellers" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "resellers_one_root_idx" ON "resellers" USING btree (("parent_id" is null)) WHERE "resellers"."parent_id" is null;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;