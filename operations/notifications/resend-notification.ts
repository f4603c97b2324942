import { oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';

/**
 * Queues a sent or failed notification again, as a new log entry linked to it (its dedupe key counts the resends).
 * Returns the new notification's id; the caller starts its sending scenario.
 */
export async function resendNotification(db: Db, id: number): Promise<number> {
  const [original] = await db<Array<{ status: string }>>`select status from notifications where id = ${id}`;
  if (!original) throw new AppError('not_found', `notification ${id} does not exist`);
  if (original.status !== 'sent' && original.status !== 'failed') throw new AppError('notification_in_flight', `notification ${id} is ${original.status}; resend a sent or failed one`);
  const copy = await oneRow(db<Array<{ id: string }>>`
    insert into notifications (event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content, send_hour, send_at,
                               status, resent_from_id, dedupe_key)
    select event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content, null, now(), 'queued', id,
           ${`resend/${id}/`} || (select count(*) + 1 from notifications r where r.resent_from_id = ${id})
    from notifications where id = ${id}
    returning id::text`);
  return Number(copy.id);
}
