-- Issue 20: what prices usage (spec 02 §4.10): internal plans' resource prices, external plans' markup on the
-- provider's price (an individual markup on the subscription wins, spec 01 §8.3). Every change of either bumps the
-- plan's price version, from the date it was made, so the running usage charge is closed or left (§4.10).
ALTER TABLE "plans" ADD COLUMN "usage_markup" numeric(10, 4) DEFAULT '1' NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "usage_rate_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "usage_rate_since" date;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "usage_markup" numeric(10, 4);--> statement-breakpoint
-- Bumped by every change of the individual markup: a subscription's price version is the plan's + this (both only grow).
ALTER TABLE "subscriptions" ADD COLUMN "usage_rate_bump" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Where each usage_external subscription's pull from its vendor stands (the `usage` plugin operation's cursor): moved
-- in the same transaction as the records of the page it follows, so a pull that dies resumes with no gap and no
-- duplicate.
CREATE TABLE "usage_pulls" (
	"subscription_id" integer PRIMARY KEY NOT NULL,
	"cursor" text,
	"pages" integer DEFAULT 0 NOT NULL,
	"records" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
