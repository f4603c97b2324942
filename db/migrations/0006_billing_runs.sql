CREATE TABLE "billing_runs" (
	"business_date" date PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"scenario_id" text NOT NULL,
	"run_id" text NOT NULL,
	"duties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"runs" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
