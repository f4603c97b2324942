CREATE TABLE "staff_list_preferences" (
	"staff_id" integer NOT NULL,
	"list" text NOT NULL,
	"columns" text[] NOT NULL,
	"page_size" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_list_preferences_staff_id_list_pk" PRIMARY KEY("staff_id","list")
);
--> statement-breakpoint
ALTER TABLE "staff_list_preferences" ADD CONSTRAINT "staff_list_preferences_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;