-- The operator numbers order invoices in a PostgreSQL sequence, like its other documents.
CREATE SEQUENCE "public"."doc_seq_invoice" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "document_counters" (
	"reseller_id" integer NOT NULL,
	"kind" text NOT NULL,
	"last_value" integer NOT NULL,
	CONSTRAINT "document_counters_reseller_id_kind_pk" PRIMARY KEY("reseller_id","kind")
);
--> statement-breakpoint
CREATE TABLE "document_files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject_id" integer NOT NULL,
	"reseller_id" integer NOT NULL,
	"number" text NOT NULL,
	"language" text NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"pdf" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_templates" (
	"reseller_id" integer NOT NULL,
	"kind" text NOT NULL,
	"language" text NOT NULL,
	"body" text NOT NULL,
	"updated_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_templates_reseller_id_kind_language_pk" PRIMARY KEY("reseller_id","kind","language")
);
--> statement-breakpoint
CREATE TABLE "reseller_settings" (
	"reseller_id" integer PRIMARY KEY NOT NULL,
	"language" text,
	"time_zone" text,
	"sender_name" text,
	"sender_email" text,
	"smtp_host" text,
	"smtp_port" integer,
	"smtp_security" text,
	"smtp_user" text,
	"smtp_password" text,
	"seal" "bytea",
	"seal_type" text,
	"logo" "bytea",
	"logo_type" text,
	"document_masks" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reseller_settings_smtp_port" CHECK ("reseller_settings"."smtp_port" between 1 and 65535)
);
--> statement-breakpoint
ALTER TABLE "acts" DROP CONSTRAINT "acts_number_unique";--> statement-breakpoint
ALTER TABLE "acts" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Existing acts belong to their client's reseller (all the operator's before issue 21).
UPDATE "acts" SET "reseller_id" = c."reseller_id" FROM "clients" c WHERE c."id" = "acts"."client_id";--> statement-breakpoint
ALTER TABLE "document_counters" ADD CONSTRAINT "document_counters_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_files" ADD CONSTRAINT "document_files_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_templates" ADD CONSTRAINT "document_templates_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reseller_settings" ADD CONSTRAINT "reseller_settings_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "document_files_subject" ON "document_files" USING btree ("kind","subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_files_number" ON "document_files" USING btree ("reseller_id","kind","number");--> statement-breakpoint
ALTER TABLE "acts" ADD CONSTRAINT "acts_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "acts_reseller_number" ON "acts" USING btree ("reseller_id","number");