CREATE TABLE "promised_payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"client_id" integer NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"expires_on" date NOT NULL,
	"comment" text,
	"replaces_id" integer,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"created_by" integer,
	"overridden" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promised_payments_number_unique" UNIQUE("number"),
	CONSTRAINT "promised_payments_amount_positive" CHECK ("promised_payments"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "promised_payments" ADD CONSTRAINT "promised_payments_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promised_payments" ADD CONSTRAINT "promised_payments_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "promised_payments_client_idx" ON "promised_payments" USING btree ("client_id","id");