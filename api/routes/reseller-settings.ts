import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { documentKinds as numberedKinds } from '../../domain/document-numbers';
import { documentKinds, documentLanguages, isDocumentLanguage, type DocumentLanguage, type DocumentTemplateKind } from '../../domain/documents/templates';
import { publicEgressOnly } from '../../infra/egress';
import { resolveDocumentTemplate, saveDocumentTemplate, upstreamDocumentTemplate } from '../../operations/documents/document-templates';
import { effectiveResellerSettings } from '../../operations/resellers/effective-reseller-settings';
import { saveResellerSettings } from '../../operations/resellers/save-reseller-settings';
import { findReseller } from '../../queries/resellers';
import { ownResellerSettings } from '../../queries/reseller-settings';
import { guard, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject } from '../schemas';

/** Base64 of a PNG or JPEG (at most 256 KiB decoded); null removes it. */
const imageInput = z.string().max(900_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').nullable();
const settingsInput = z
  .object({
    language: z.enum(documentLanguages).nullable().optional().describe('documents and e-mails; null: inherited'),
    timeZone: z.string().min(1).max(64).nullable().optional().describe('IANA time zone; null: inherited'),
    sender: z.object({ name: z.string().trim().max(200).nullable().optional(), email: z.email().max(254) }).strict().nullable().optional(),
    smtp: z
      .object({
        host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or address'),
        port: z.number().int().min(1).max(65535),
        security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
        user: z.string().max(254).nullable().optional(),
        password: z.string().max(1024).nullable().optional().describe('write-only: never answered; left out keeps the stored one'),
      })
      .strict()
      .nullable()
      .optional(),
    seal: imageInput.optional().describe('the seal printed on acts and invoices (base64 PNG or JPEG)'),
    logo: imageInput.optional(),
    documentMasks: z.partialRecord(z.enum(numberedKinds), z.string().max(64)).optional().describe("this reseller's own number masks, e.g. { act: 'RA%6' }"),
  })
  .strict()
  .openapi('ResellerSettingsInput');
const templateParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  key: z.string().max(32).openapi({ param: { name: 'key', in: 'path' }, description: '<kind>.<language>: act.en, act.ru, invoice.en, invoice.ru' }),
});
const templateInput = z
  .object({ body: z.string().min(1).max(64 * 1024).nullable().describe("Handlebars (docs/documents.md); null restores the upstream version: the reseller's copy is dropped (at the operator: the factory default)") })
  .strict()
  .openapi('DocumentTemplateInput');

/** `act.ru` → its kind and language; any other key is a template that does not exist. */
function templateKey(key: string): { kind: DocumentTemplateKind; language: DocumentLanguage } {
  const [kind, language, ...rest] = key.split('.');
  if (rest.length > 0 || !(documentKinds as readonly string[]).includes(kind ?? '') || !isDocumentLanguage(language)) throw notFound('document template', key);
  return { kind: kind as DocumentTemplateKind, language };
}

/**
 * What a reseller prints and sends with (issue 21 points 1 and 6): its settings (language, time zone, sender, SMTP,
 * seal, logo, number masks) and its document templates. Read and changed by the administrators of that reseller or
 * of an ancestor (the upstream sets a new reseller up, spec 05 §2.1); outside the caller's subtree a reseller is not
 * found. Long because it registers every route of the resource; each handler checks the subtree and calls one
 * operation or query.
 */
export function resellerSettingsRoutes({ sql, egress, secrets }: ApiDeps) {
  const app = router();
  const resellerInSubtree = async (c: Context<AppEnv>, id: number) => {
    if (!(await findReseller(sql, c.get('staff'), id))) throw notFound('reseller', id);
  };
  const settingsAnswer = async (id: number) => {
    const effective = (await effectiveResellerSettings(sql, id))!;
    return {
      resellerId: id,
      own: await ownResellerSettings(sql, id),
      effective: {
        language: effective.language,
        timeZone: effective.timeZone,
        sender: effective.sender,
        /** Whose SMTP relay the reseller's e-mails leave through (null: the installation's, SMTP_URL). */
        smtpFromResellerId: effective.smtp?.resellerId ?? null,
      },
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/resellers/{id}/settings',
      tags: ['Resellers', 'Documents'],
      summary: "A reseller's own settings and what it inherits (never the SMTP password, never image bytes)",
      ...guard('resellers', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'own and effective settings'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await resellerInSubtree(c, id);
      return c.json(await settingsAnswer(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/resellers/{id}/settings',
      tags: ['Resellers', 'Documents'],
      summary: "Change a reseller's own settings: a field left out stays, null clears it (then it is inherited)",
      ...guard('resellers', true),
      request: { params: idParam, ...jsonBody(settingsInput) },
      responses: jsonResponses(200, looseObject, 'own and effective settings'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await resellerInSubtree(c, id);
      const { seal, logo, ...input } = c.req.valid('json');
      const bytes = (value: string | null | undefined) => (typeof value === 'string' ? Buffer.from(value, 'base64') : value);
      await saveResellerSettings(sql, id, { ...input, seal: bytes(seal), logo: bytes(logo) }, { by: c.get('staff').id, egress: egress ?? publicEgressOnly, secrets });
      return c.json(await settingsAnswer(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/resellers/{id}/document-templates/{key}',
      tags: ['Resellers', 'Documents'],
      summary: "The template a reseller's documents use (its own copy, else the nearest ancestor's, else the default), its flags (installed, inherited, modified) and the upstream version to compare with",
      ...guard('resellers', false),
      request: { params: templateParams },
      responses: jsonResponses(200, looseObject, 'the template, its origin and whose copy it is'),
    }),
    async (c) => {
      const { id, key } = c.req.valid('param');
      await resellerInSubtree(c, id);
      const { kind, language } = templateKey(key);
      return c.json({ kind, language, ...(await resolveDocumentTemplate(sql, id, kind, language)), upstream: await upstreamDocumentTemplate(sql, id, kind, language) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/resellers/{id}/document-templates/{key}',
      tags: ['Resellers', 'Documents'],
      summary: "Edit a reseller's document template (Handlebars; see docs/documents.md): its own modified copy, which upstream changes no longer reach; null restores the upstream version (409 nothing_to_restore when there is no edit)",
      ...guard('resellers', true),
      request: { params: templateParams, ...jsonBody(templateInput) },
      responses: jsonResponses(200, looseObject, 'the template now in use'),
    }),
    async (c) => {
      const { id, key } = c.req.valid('param');
      await resellerInSubtree(c, id);
      const { kind, language } = templateKey(key);
      await saveDocumentTemplate(sql, { resellerId: id, kind, language, body: c.req.valid('json').body, by: c.get('staff').id });
      return c.json({ kind, language, ...(await resolveDocumentTemplate(sql, id, kind, language)) }, 200);
    },
  );

  return app;
}
