import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Sql } from '../../db/client';
import { actDocument, invoiceDocument, type DocumentFile } from '../../operations/documents/document-files';
import { guard, type AppEnv } from '../auth';
import { clientAccess } from '../client-access';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { errorResponses, idParam } from '../schemas';

const pdfResponses = {
  200: { description: 'the PDF, the same bytes on every download', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
  304: { description: 'not modified (If-None-Match names the ETag)' },
  ...errorResponses,
};

/** The stored PDF, with its hash as a strong ETag. */
function pdfAnswer(c: Context<AppEnv>, file: DocumentFile) {
  const etag = `"${file.sha256}"`;
  const headers = { etag, 'cache-control': 'private, no-cache', 'content-disposition': `attachment; filename="${file.fileName}"` };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(file.pdf), 200, { ...headers, 'content-type': 'application/pdf' });
}

/**
 * A staff member sees the documents of their own reseller's clients (spec 05 §1.3.5); a client user, through the
 * guard, those of their clients. Anything else answers as an unknown id.
 */
async function ownedByCaller(sql: Sql, c: Context<AppEnv>, table: 'acts' | 'orders', id: number): Promise<boolean> {
  const staff = c.get('staff');
  if (!staff) return true;
  const [row] = await sql<Array<{ ok: number }>>`select 1 as ok from ${sql(table)} t join clients cl on cl.id = t.client_id where t.id = ${id} and cl.reseller_id = ${staff.resellerId}`;
  return Boolean(row);
}

/** Documents (issue 21 point 6): the act and order-invoice PDFs, rendered once and served as stored. */
export function documentRoutes({ sql }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/acts/{id}/pdf',
      tags: ['Documents'],
      summary: "The act's PDF in its reseller's language, template and seal: rendered on the first download, then served as stored",
      ...guard('finance', false, clientAccess.recordPath(sql, 'acts')),
      request: { params: idParam },
      responses: pdfResponses,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const file = (await ownedByCaller(sql, c, 'acts', id)) ? await actDocument(sql, id) : null;
      if (!file) throw notFound('act', id);
      return pdfAnswer(c, file);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}/invoice.pdf',
      tags: ['Documents', 'Orders'],
      summary: "The order's invoice (the PDF attached to the \"Order created\" e-mail), as stored when first rendered",
      ...guard('operations', false, clientAccess.recordPath(sql, 'orders')),
      request: { params: idParam },
      responses: pdfResponses,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const file = (await ownedByCaller(sql, c, 'orders', id)) ? await invoiceDocument(sql, id) : null;
      if (!file) throw notFound('order', id);
      return pdfAnswer(c, file);
    },
  );

  return app;
}
