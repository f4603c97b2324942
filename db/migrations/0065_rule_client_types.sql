CREATE TABLE "provisioning_rule_client_types" (
	"reseller_id" integer NOT NULL,
	"rule_id" integer NOT NULL,
	"client_types" text[] NOT NULL,
	CONSTRAINT "provisioning_rule_client_types_reseller_id_rule_id_pk" PRIMARY KEY("reseller_id","rule_id")
);
--> statement-breakpoint
ALTER TABLE "provisioning_rule_client_types" ADD CONSTRAINT "provisioning_rule_client_types_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_rule_client_types" ADD CONSTRAINT "provisioning_rule_client_types_rule_id_provisioning_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."provisioning_rules"("id") ON DELETE cascade ON UPDATE no action;
