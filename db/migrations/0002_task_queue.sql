ALTER TABLE "scenario_steps" ADD COLUMN "id" bigserial NOT NULL;--> statement-breakpoint
ALTER TABLE "scenario_steps" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "scenario_steps_tasks_idx" ON "scenario_steps" USING btree ("kind","status","id");--> statement-breakpoint
ALTER TABLE "scenario_steps" ADD CONSTRAINT "scenario_steps_id_unique" UNIQUE("id");