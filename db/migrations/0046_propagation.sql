ALTER TABLE "provisioning_rules" DROP CONSTRAINT "provisioning_rules_key_unique";--> statement-breakpoint
ALTER TABLE "provisioning_rules" DROP CONSTRAINT "provisioning_rules_name_unique";--> statement-breakpoint
ALTER TABLE "service_rules" DROP CONSTRAINT "service_rules_key_unique";--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_handler_id_notification_handlers_id_fk";
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_template_id_notification_templates_id_fk";
--> statement-breakpoint
DROP INDEX "service_rules_one_default";--> statement-breakpoint
DROP INDEX "notification_handlers_unique";--> statement-breakpoint
ALTER TABLE "provisioning_rules" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "provisioning_rules" ADD COLUMN "origin_id" integer;--> statement-breakpoint
ALTER TABLE "provisioning_rules" ADD COLUMN "modified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "service_rules" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_handlers" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_handlers" ADD COLUMN "origin_id" integer;--> statement-breakpoint
ALTER TABLE "notification_handlers" ADD COLUMN "modified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD COLUMN "reseller_id" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD COLUMN "origin_id" integer;--> statement-breakpoint
ALTER TABLE "provisioning_rules" ADD CONSTRAINT "provisioning_rules_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_rules" ADD CONSTRAINT "provisioning_rules_origin_id_provisioning_rules_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."provisioning_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_rules" ADD CONSTRAINT "service_rules_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_handlers" ADD CONSTRAINT "notification_handlers_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_handlers" ADD CONSTRAINT "notification_handlers_origin_id_notification_handlers_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."notification_handlers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_origin_id_notification_templates_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."notification_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_handler_id_notification_handlers_id_fk" FOREIGN KEY ("handler_id") REFERENCES "public"."notification_handlers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_template_id_notification_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."notification_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "provisioning_rules_reseller_key" ON "provisioning_rules" USING btree ("reseller_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "provisioning_rules_reseller_name" ON "provisioning_rules" USING btree ("reseller_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "service_rules_reseller_key" ON "service_rules" USING btree ("reseller_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_handlers_reseller_key" ON "notification_handlers" USING btree ("reseller_id",coalesce("origin_id", "id"));--> statement-breakpoint
CREATE UNIQUE INDEX "notification_templates_reseller_key" ON "notification_templates" USING btree ("reseller_id",coalesce("origin_id", "id"));--> statement-breakpoint
CREATE UNIQUE INDEX "service_rules_one_default" ON "service_rules" USING btree ("reseller_id","is_default") WHERE "service_rules"."is_default";--> statement-breakpoint
CREATE UNIQUE INDEX "notification_handlers_unique" ON "notification_handlers" USING btree ("reseller_id","event","template_id","rule");