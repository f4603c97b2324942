import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postLedgerEntries, type LedgerEntry } from '../../operations/ledger/ledger';
import { createClient, createTestPlatform, eventually, seedCatalog, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('ledger');
  catalog = await seedCatalog(p);
});
afterAll(async () => p?.close());

describe('ledger consistency (issue 5, acceptance 8)', () => {
  it('50 top-ups and orders paid from the balance at once on one client leave a ledger that recomputes to the stored balance', async () => {
    const clientId = await createClient(p, catalog, 'Busy Ledger Co');
    const requests = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000, method: 'cash' })
        : p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }),
    );
    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.status).sort()).toEqual(Array(50).fill(201));
    const orderIds = answers.filter((_, i) => i % 2 === 1).map((a) => a.body.id as number);

    // Every order either took its money from the balance (completed) or found too little and waits for payment.
    const scenarioIds = orderIds.map((id) => `order-${id}`);
    await eventually(async () => {
      const [row] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios where id = any(${scenarioIds}) and status in ('waiting', 'completed')`;
      return row?.n === orderIds.length;
    }, { what: 'every order scenario to be paid or waiting for payment', timeoutMs: 60_000 });
    const settled = await p.sql<Array<{ status: string; payment: string }>>`
      select o.status, p.status as payment from orders o join payments p on p.order_id = o.id where o.id = any(${orderIds}::int[])`;
    const paid = settled.filter((r) => r.payment === 'paid_from_balance').length;
    expect(paid).toBeGreaterThan(0);
    expect(settled.filter((r) => r.status === 'completed').length).toBe(paid);

    const client = (await p.api('GET', `/api/v1/clients/${clientId}`)).body;
    expect(client.balance).toBe(25 * 1000 - paid * 1500);
    expect(client.balance).toBeGreaterThanOrEqual(0);
    const check = (await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body;
    expect(check).toMatchObject({ clients: 1, transactions: 25 + paid, discrepancies: [] });
  }, 90_000);

  it('many movements posted at once chain each client’s balance, skip keys already taken and block a client left negative', async () => {
    const a = await createClient(p, catalog, 'Set Ledger A');
    const b = await createClient(p, catalog, 'Set Ledger B');
    const entry = (clientId: number, amount: number, key: string): LedgerEntry => ({ clientId, kind: 'adjustment', amount, currency: 'EUR', description: key, idempotencyKey: `set-ledger/${clientId}/${key}` });
    const first = await p.sql.begin((tx) => postLedgerEntries(tx, [entry(a, 500, '1'), entry(b, 300, '1'), entry(a, -200, '2'), entry(a, -200, '2')]));
    expect(first.applied).toBe(3);
    // Again, with one new movement: only that one moves money; it leaves B negative, beyond any threshold.
    const again = await p.sql.begin((tx) => postLedgerEntries(tx, [entry(a, 500, '1'), entry(b, -1_000_000_000, '3')]));
    expect(again.applied).toBe(1);
    const rows = await p.sql<Array<{ client_id: number; amount: string; balance_after: string }>>`
      select client_id, amount::text, balance_after::text from ledger_transactions where client_id = any(${[a, b]}::int[]) order by id`;
    expect(rows.map((r) => [r.client_id, Number(r.amount), Number(r.balance_after)])).toEqual([[a, 500, 500], [b, 300, 300], [a, -200, 300], [b, -1_000_000_000, 300 - 1_000_000_000]]);
    expect((await p.api('GET', `/api/v1/clients/${a}`)).body).toMatchObject({ balance: 300, status: 'active' });
    expect((await p.api('GET', `/api/v1/clients/${b}`)).body).toMatchObject({ balance: 300 - 1_000_000_000, status: 'financially_blocked' });
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${b}`)).body.discrepancies).toEqual([]);
  });

  it('reports a stored balance that its history does not explain', async () => {
    const clientId = await createClient(p, catalog, 'Tampered Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 700 });
    await p.sql`update clients set balance = balance + 1 where id = ${clientId}`;
    const check = (await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body;
    expect(check.discrepancies).toEqual([
      { clientId, check: 'balance_is_sum_of_transactions', expected: '700', actual: '701' },
      { clientId, check: 'balance_is_last_balance_after', expected: '700', actual: '701' },
    ]);
    await p.sql`update clients set balance = balance - 1 where id = ${clientId}`;
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });
});
