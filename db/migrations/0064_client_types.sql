CREATE TABLE "client_types" (
	"id" serial PRIMARY KEY NOT NULL,
	"reseller_id" integer DEFAULT 1 NOT NULL,
	"origin_id" integer,
	"modified" boolean DEFAULT false NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "client_type_settings" (
	"reseller_id" integer NOT NULL,
	"client_type_id" integer NOT NULL,
	"default_payment_method" text,
	"is_default" boolean DEFAULT false NOT NULL,
	CONSTRAINT "client_type_settings_reseller_id_client_type_id_pk" PRIMARY KEY("reseller_id","client_type_id")
);
--> statement-breakpoint
CREATE TABLE "notification_categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"reseller_id" integer DEFAULT 1 NOT NULL,
	"origin_id" integer,
	"modified" boolean DEFAULT false NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"enabled_on_client_creation" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_types" ADD CONSTRAINT "client_types_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_types" ADD CONSTRAINT "client_types_origin_id_client_types_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."client_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_type_settings" ADD CONSTRAINT "client_type_settings_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_type_settings" ADD CONSTRAINT "client_type_settings_client_type_id_client_types_id_fk" FOREIGN KEY ("client_type_id") REFERENCES "public"."client_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_categories" ADD CONSTRAINT "notification_categories_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_categories" ADD CONSTRAINT "notification_categories_origin_id_notification_categories_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."notification_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "client_types_reseller_key" ON "client_types" USING btree ("reseller_id",coalesce("origin_id", "id"));--> statement-breakpoint
CREATE INDEX "client_types_reseller_idx" ON "client_types" USING btree ("reseller_id");--> statement-breakpoint
CREATE UNIQUE INDEX "client_type_settings_one_default" ON "client_type_settings" USING btree ("reseller_id") WHERE "client_type_settings"."is_default";--> statement-breakpoint
CREATE UNIQUE INDEX "notification_categories_reseller_key" ON "notification_categories" USING btree ("reseller_id",coalesce("origin_id", "id"));--> statement-breakpoint
-- The enum's three values become the root's types, with fixed ids: clients.client_type_id defaults to 3 (legal_entity,
-- the enum's default), and existing clients keep their type. The names are what the UI showed for the keys.
INSERT INTO "client_types" ("id", "reseller_id", "key", "name") VALUES (1, 1, 'individual', 'Individual'), (2, 1, 'sole_proprietor', 'Sole proprietor'), (3, 1, 'legal_entity', 'Legal entity');--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('client_types', 'id'), 3);--> statement-breakpoint
INSERT INTO "client_type_settings" ("reseller_id", "client_type_id", "is_default") VALUES (1, 3, true);--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "client_type_id" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
UPDATE "clients" SET "client_type_id" = CASE "client_type" WHEN 'individual' THEN 1 WHEN 'sole_proprietor' THEN 2 ELSE 3 END;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_client_type_id_client_types_id_fk" FOREIGN KEY ("client_type_id") REFERENCES "public"."client_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clients_client_type_idx" ON "clients" USING btree ("client_type_id");--> statement-breakpoint
ALTER TABLE "clients" DROP COLUMN "client_type";
