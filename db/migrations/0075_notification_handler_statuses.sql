-- A reseller's own on/off of a notification handler (spec 03 §5.5): switching a handler on or off does not change its
-- status at downstream resellers and is no modification (a restore keeps it, §5.6); without a row here the
-- handler's own `active` (its status when it reached the reseller) applies.
CREATE TABLE "notification_handler_statuses" (
	"reseller_id" integer NOT NULL,
	"handler_key" integer NOT NULL,
	"active" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_handler_statuses_reseller_id_handler_key_pk" PRIMARY KEY("reseller_id","handler_key")
);
--> statement-breakpoint
ALTER TABLE "notification_handler_statuses" ADD CONSTRAINT "notification_handler_statuses_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_handler_statuses" ADD CONSTRAINT "notification_handler_statuses_handler_key_notification_handlers_id_fk" FOREIGN KEY ("handler_key") REFERENCES "public"."notification_handlers"("id") ON DELETE cascade ON UPDATE no action;
