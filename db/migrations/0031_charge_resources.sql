ALTER TABLE "charges" ADD COLUMN "resource_key" text;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "quantity" integer;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_quantity_positive" CHECK ("charges"."quantity" is null or "charges"."quantity" > 0);