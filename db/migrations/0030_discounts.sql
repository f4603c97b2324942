CREATE TABLE "discount_plans" (
	"id" serial PRIMARY KEY NOT NULL,
	"discount_id" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"plan_period_id" integer
);
--> statement-breakpoint
CREATE TABLE "discount_redemptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"discount_id" integer NOT NULL,
	"promo_code_id" integer NOT NULL,
	"order_id" integer NOT NULL,
	"client_id" integer NOT NULL,
	"discount" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"percent_bp" integer,
	"amount" bigint,
	"currency" text,
	"valid_from" date,
	"valid_to" date,
	"all_plans" boolean DEFAULT true NOT NULL,
	"max_clients" integer,
	"max_subscriptions" integer,
	"applies_setup" boolean DEFAULT true NOT NULL,
	"applies_renewal" boolean DEFAULT true NOT NULL,
	"applies_recurring" boolean DEFAULT true NOT NULL,
	"applies_transfer" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "discounts_terms" CHECK (("discounts"."kind" = 'percent' and "discounts"."percent_bp" between 1 and 10000 and "discounts"."amount" is null)
          or ("discounts"."kind" = 'amount' and "discounts"."amount" > 0 and "discounts"."percent_bp" is null and "discounts"."currency" is not null)),
	CONSTRAINT "discounts_window" CHECK ("discounts"."valid_from" is null or "discounts"."valid_to" is null or "discounts"."valid_from" <= "discounts"."valid_to"),
	CONSTRAINT "discounts_limits" CHECK (coalesce("discounts"."max_clients", 1) >= 1 and coalesce("discounts"."max_subscriptions", 1) >= 1 and "discounts"."uses" >= 0)
);
--> statement-breakpoint
CREATE TABLE "promo_codes" (
	"id" serial PRIMARY KEY NOT NULL,
	"discount_id" integer NOT NULL,
	"code" text NOT NULL,
	"reusable" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"activations" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promo_codes_single_use" CHECK ("promo_codes"."reusable" or "promo_codes"."activations" <= 1)
);
--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "discount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "discount_plans" ADD CONSTRAINT "discount_plans_discount_id_discounts_id_fk" FOREIGN KEY ("discount_id") REFERENCES "public"."discounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_plans" ADD CONSTRAINT "discount_plans_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_plans" ADD CONSTRAINT "discount_plans_plan_period_id_plan_periods_id_fk" FOREIGN KEY ("plan_period_id") REFERENCES "public"."plan_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_redemptions" ADD CONSTRAINT "discount_redemptions_discount_id_discounts_id_fk" FOREIGN KEY ("discount_id") REFERENCES "public"."discounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_redemptions" ADD CONSTRAINT "discount_redemptions_promo_code_id_promo_codes_id_fk" FOREIGN KEY ("promo_code_id") REFERENCES "public"."promo_codes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_redemptions" ADD CONSTRAINT "discount_redemptions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discount_redemptions" ADD CONSTRAINT "discount_redemptions_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promo_codes" ADD CONSTRAINT "promo_codes_discount_id_discounts_id_fk" FOREIGN KEY ("discount_id") REFERENCES "public"."discounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "discount_plans_discount_idx" ON "discount_plans" USING btree ("discount_id","plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "discount_redemptions_order_idx" ON "discount_redemptions" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "discount_redemptions_discount_idx" ON "discount_redemptions" USING btree ("discount_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "promo_codes_code_idx" ON "promo_codes" USING btree ("code");--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_discount_nonnegative" CHECK ("charges"."discount" >= 0);