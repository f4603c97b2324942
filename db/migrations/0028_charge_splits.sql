-- Issue 19: charges split by the billing types' rules (spec 02 §4.9). A part records the charge it was split
-- from; a charge whose amount moved into its parts (or into a close-all charge) is superseded, so an order's
-- charges still add up to its amount; a refund charge records money given back and never holds any.
ALTER TABLE "charges" ADD COLUMN "split_of" integer;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "superseded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "charges" ADD COLUMN "refund" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_split_of_charges_id_fk" FOREIGN KEY ("split_of") REFERENCES "public"."charges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "charges_split_of_idx" ON "charges" USING btree ("split_of") WHERE "charges"."split_of" is not null;