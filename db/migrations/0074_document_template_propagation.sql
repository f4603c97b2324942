-- Document templates on the one propagation mechanism (spec 05 §3.6, domain/propagation.ts): a row per object and
-- reseller, keyed by the operator's factory row (default_key `<kind>.<language>`, whose null body means the factory
-- default of domain/documents/templates.ts); a reseller's own row is a modified copy of that key.
ALTER TABLE "document_templates" DROP CONSTRAINT "document_templates_reseller_id_kind_language_pk";--> statement-breakpoint
ALTER TABLE "document_templates" ADD COLUMN "id" serial PRIMARY KEY NOT NULL;--> statement-breakpoint
ALTER TABLE "document_templates" ADD COLUMN "origin_id" integer;--> statement-breakpoint
ALTER TABLE "document_templates" ADD COLUMN "modified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "document_templates" ADD COLUMN "default_key" text;--> statement-breakpoint
ALTER TABLE "document_templates" ALTER COLUMN "body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "document_templates" ALTER COLUMN "reseller_id" SET DEFAULT 1;--> statement-breakpoint
-- The operator's factory row of every template; an operator's own template kept so far is that row, edited.
INSERT INTO "document_templates" ("reseller_id", "kind", "language", "body")
  SELECT 1, k.kind, l.language, NULL FROM (VALUES ('act'), ('invoice')) AS k(kind) CROSS JOIN (VALUES ('en'), ('ru')) AS l(language)
  WHERE NOT EXISTS (SELECT 1 FROM "document_templates" d WHERE d."reseller_id" = 1 AND d."kind" = k.kind AND d."language" = l.language);--> statement-breakpoint
UPDATE "document_templates" SET "default_key" = "kind" || '.' || "language", "modified" = ("body" IS NOT NULL) WHERE "reseller_id" = 1;--> statement-breakpoint
-- A reseller's template kept so far is its modified copy of the operator's object.
UPDATE "document_templates" t SET "origin_id" = o."id", "modified" = true
  FROM "document_templates" o WHERE o."reseller_id" = 1 AND o."kind" = t."kind" AND o."language" = t."language" AND t."reseller_id" <> 1;--> statement-breakpoint
ALTER TABLE "document_templates" ADD CONSTRAINT "document_templates_origin_id_document_templates_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."document_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_templates" ADD CONSTRAINT "document_templates_default_key_unique" UNIQUE("default_key");--> statement-breakpoint
CREATE UNIQUE INDEX "document_templates_reseller_key" ON "document_templates" USING btree ("reseller_id",coalesce("origin_id", "id"));
