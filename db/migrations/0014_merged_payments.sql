ALTER TABLE "payments" ADD COLUMN "merged" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "merged_into_id" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merged_into_id_payments_id_fk" FOREIGN KEY ("merged_into_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_merged_into_idx" ON "payments" USING btree ("merged_into_id");