CREATE INDEX "clients_id_text_idx" ON "clients" USING btree (("id"::text));--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_id_text_idx" ON "subscriptions" USING btree (("id"::text));