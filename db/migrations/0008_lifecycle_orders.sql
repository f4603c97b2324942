CREATE TABLE "billing_run_actions" (
	"business_date" date NOT NULL,
	"subscription_id" integer NOT NULL,
	"action" text NOT NULL,
	"order_id" integer,
	"outcome" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_run_actions_business_date_subscription_id_action_pk" PRIMARY KEY("business_date","subscription_id","action")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "automatic" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "auto_pay_date" date;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "term_key" date;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "details" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "applied_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_one_automatic_per_term" ON "orders" USING btree ("subscription_id","type","term_key") WHERE "orders"."automatic";