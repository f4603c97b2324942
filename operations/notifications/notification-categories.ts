import { inTransaction, oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { notificationCategoryKind } from '../propagation/kinds';
import { deleteObject, editObject, effectiveRows, lockKind, pathOf, restoreObject, strictSubtree } from '../propagation/propagation';

// Notification categories (spec 03 §3) on the propagation mechanism (operations/propagation): created anywhere,
// received by every descendant, editable below (the copy becomes Modified), restorable, deleted by their creator.
// Templates do not name a category yet (they are grouped by event), so a deletion removes the category alone.

/** A category as staff write it. */
export interface NotificationCategoryInput {
  name: string;
  description: string;
  published: boolean;
  enabledOnClientCreation: boolean;
}

/**
 * A category name is unique in a reseller's view and across its subtree (spec 03 §3.2, 05 §3.7): refused when the
 * reseller sees another category of that name (`category_name_taken`) or a descendant has one
 * (`category_name_taken_downstream`). `objectKey` is the category being edited, whose copies do not count.
 */
async function refuseTakenName(tx: Db, resellerId: number, name: string, objectKey: number | null): Promise<void> {
  const path = await pathOf(tx, resellerId);
  const [seen] = await tx`
    select 1 from ${effectiveRows(tx, 'notification_categories', path)} e where e.name = ${name} and e.object_key is distinct from ${objectKey}`;
  if (seen) throw new AppError('category_name_taken', `a notification category named "${name}" already exists here`);
  const [below] = await tx`
    select 1 from notification_categories
    where name = ${name} and reseller_id in (${strictSubtree(tx, resellerId)}) and coalesce(origin_id, id) is distinct from ${objectKey}`;
  if (below) throw new AppError('category_name_taken_downstream', `a downstream reseller has a notification category named "${name}"; the name must be unique across the subtree`);
}

/** Creates a category of `resellerId`; every descendant receives it (spec 03 §2.2). Returns its id. */
export async function createNotificationCategory(db: Db, input: NotificationCategoryInput, resellerId: number): Promise<number> {
  return inTransaction(db, async (tx) => {
    await lockKind(tx, 'notification_categories');
    await refuseTakenName(tx, resellerId, input.name, null);
    const row = await oneRow(tx<Array<{ id: number }>>`
      insert into notification_categories (reseller_id, name, description, published, enabled_on_client_creation)
      values (${resellerId}, ${input.name}, ${input.description}, ${input.published}, ${input.enabledOnClientCreation})
      returning id`);
    return row.id;
  });
}

/** Replaces a category as `resellerId` sees it: an inherited one becomes its modified copy (spec 03 §2.3). Returns the row written. */
export async function replaceNotificationCategory(db: Db, resellerId: number, id: number, input: NotificationCategoryInput): Promise<number> {
  return inTransaction(db, (tx) =>
    editObject(tx, notificationCategoryKind, resellerId, id, async (rowId) => {
      const [row] = await tx<Array<{ key: number }>>`select coalesce(origin_id, id) as key from notification_categories where id = ${rowId}`;
      await refuseTakenName(tx, resellerId, input.name, row!.key);
      await tx`
        update notification_categories set name = ${input.name}, description = ${input.description}, published = ${input.published},
               enabled_on_client_creation = ${input.enabledOnClientCreation}
        where id = ${rowId}`;
    }),
  );
}

/** Back to the upstream's current category (spec 03 §2.5). Returns the row now effective. */
export async function restoreNotificationCategory(db: Db, resellerId: number, id: number): Promise<number> {
  return inTransaction(db, (tx) => restoreObject(tx, notificationCategoryKind, resellerId, id));
}

/** Deletes a category its reseller created; descendants that modified it keep it as their own (spec 03 §3.5). */
export async function deleteNotificationCategory(db: Db, resellerId: number, id: number): Promise<void> {
  await inTransaction(db, (tx) => deleteObject(tx, notificationCategoryKind, resellerId, id));
}
