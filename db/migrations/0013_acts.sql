CREATE TABLE "acts" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"client_id" integer NOT NULL,
	"financial_day" date NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"payment_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "acts_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "act_id" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "pay_by" date;--> statement-breakpoint
ALTER TABLE "acts" ADD CONSTRAINT "acts_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "acts" ADD CONSTRAINT "acts_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "acts_client_day" ON "acts" USING btree ("client_id","financial_day");