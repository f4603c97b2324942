import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { visibleClientTypes } from '../../db/client-types';
import { migrationsFolder } from '../../db/migrate';
import { withDatabase } from '../support/local-services';

// Migration 0064 turns the client-type enum into the root's client types (issue 21 point 2). An installation
// migrated up to the migration before it, with clients of every enum value at the operator and at a reseller, is
// migrated the rest of the way: every client keeps its type's key, and everyone sees the three types with
// legal_entity (the enum's default) as the default, the operator owning them.

const name = `bp_ct_migration_${randomBytes(4).toString('hex')}`;
const admin = () => postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
let sql: postgres.Sql;
let folder: string;

/** A copy of the migrations folder whose journal stops before `tag`. */
async function migrationsBefore(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bp-migrations-'));
  await cp(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

beforeAll(async () => {
  const a = admin();
  await a.unsafe(`create database "${name}"`);
  await a.end();
  sql = postgres(withDatabase(inject('adminDatabaseUrl'), name), { max: 1, onnotice: () => {} });
  folder = await migrationsBefore('0064_client_types');
  await migrate(drizzle(sql), { migrationsFolder: folder });
});
afterAll(async () => {
  await sql?.end({ timeout: 5 });
  const a = admin();
  await a.unsafe(`drop database if exists "${name}" with (force)`);
  await a.end();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('migration 0064: an existing installation keeps its client types and clients', () => {
  it('every client keeps its type key; the three types are the operator’s, legal_entity the default at every level', async () => {
    const [rule] = await sql<Array<{ id: number }>>`insert into service_rules (key, name) values ('standard', 'Standard') returning id`;
    const [reseller] = await sql<Array<{ id: number }>>`
      with n as (select nextval(pg_get_serial_sequence('resellers', 'id'))::int as id)
      insert into resellers (id, parent_id, path, name, currency) select id, 1, array[1, id], 'Reseller', 'EUR' from n returning id`;
    const before: Array<{ reseller: number; type: string | null }> = [
      { reseller: 1, type: 'individual' },
      { reseller: 1, type: 'sole_proprietor' },
      { reseller: 1, type: 'legal_entity' },
      { reseller: 1, type: null },
      { reseller: reseller!.id, type: 'individual' },
      { reseller: reseller!.id, type: 'sole_proprietor' },
    ];
    const ids: number[] = [];
    for (const c of before) {
      const [row] =
        c.type === null
          ? await sql<Array<{ id: number }>>`insert into clients (reseller_id, name, service_rule_id) values (${c.reseller}, 'Old client', ${rule!.id}) returning id`
          : await sql<Array<{ id: number }>>`insert into clients (reseller_id, name, client_type, service_rule_id) values (${c.reseller}, 'Old client', ${c.type}, ${rule!.id}) returning id`;
      ids.push(row!.id);
    }

    await migrate(drizzle(sql), { migrationsFolder });

    const after = await sql<Array<{ id: number; key: string }>>`
      select c.id, t.key from clients c join client_types t on t.id = c.client_type_id where c.id in ${sql(ids)} order by c.id`;
    expect(after.map((c) => c.key)).toEqual(['individual', 'sole_proprietor', 'legal_entity', 'legal_entity', 'individual', 'sole_proprietor']);
    expect(await sql`select id, reseller_id, origin_id, key from client_types order by id`).toEqual([
      { id: 1, reseller_id: 1, origin_id: null, key: 'individual' },
      { id: 2, reseller_id: 1, origin_id: null, key: 'sole_proprietor' },
      { id: 3, reseller_id: 1, origin_id: null, key: 'legal_entity' },
    ]);
    for (const viewer of [1, reseller!.id]) {
      const { types } = await visibleClientTypes(sql, viewer);
      expect(types.map((t) => [t.key, t.delegated, t.isDefault, t.keyConflict])).toEqual([
        ['individual', viewer !== 1, false, false],
        ['sole_proprietor', viewer !== 1, false, false],
        ['legal_entity', viewer !== 1, true, false],
      ]);
    }
    // A type created after the migration takes the next id (the seed moved the sequence past its fixed ids).
    const [next] = await sql<Array<{ id: number }>>`insert into client_types (reseller_id, key, name) values (1, 'later', 'Later') returning id`;
    expect(next!.id).toBe(4);
  });
});
