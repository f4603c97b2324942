import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, compareDates } from '../dates';
import { ChargeBook } from './charge-book';
import { orderBilledTypes } from './types';

// Spec 02 §4, issue 19 point 6: random sequences of orders, payments, stops, activations, resource increases and
// decreases, switches, close-alls and deletions on every billing type, through the same rules the platform runs; after every step Σ charges of
// every order = its amount, every split's parts add up to what they replace, the balance plus the money the
// charges took = the deposits (money is neither created nor destroyed), no charge twice, no negative charge,
// and a refused operation changes nothing. RUNS sets the count (CI: 10,000; the soak script: more).

const runs = Number(process.env.CHARGE_BOOK_RUNS ?? 10_000);
const actions = ['day', 'day', 'day', 'stop', 'activate', 'delete', 'switch', 'manual_close', 'deposit', 'increase', 'decrease'] as const;

const scenario = fc.record({
  type: fc.constantFrom(...orderBilledTypes),
  financialDay: fc.integer({ min: 1, max: 28 }),
  startOffset: fc.integer({ min: 0, max: 730 }),
  months: fc.integer({ min: 1, max: 12 }),
  monthlyFee: fc.integer({ min: 0, max: 1_000_000 }),
  setupFee: fc.integer({ min: 0, max: 100_000 }),
  unitFee: fc.integer({ min: 0, max: 50_000 }),
  deposit: fc.integer({ min: 0, max: 20_000_000 }),
  steps: fc.array(fc.record({ action: fc.constantFrom(...actions), days: fc.integer({ min: 0, max: 45 }), amount: fc.integer({ min: 0, max: 2_000_000 }), units: fc.integer({ min: 1, max: 5 }) }), { maxLength: 14 }),
});

function check(book: ChargeBook, where: string): void {
  const violations = book.violations();
  if (violations.length > 0) throw new Error(`${where}: ${violations.join('; ')}`);
}

describe('the charge model of every billing type (property)', () => {
  it(`keeps its invariants over ${runs} random sequences`, () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const start = addDays('2025-01-01', s.startOffset);
        const book = new ChargeBook({ type: s.type === 'peak_monthly' ? s.type : s.type, financialDay: s.type === 'peak_monthly' ? 1 : s.financialDay, start, months: s.months, monthlyFee: s.monthlyFee, setupFee: s.setupFee, deposit: s.deposit, unitFee: s.unitFee });
        check(book, 'purchase');
        let date = start;
        for (const [i, step] of s.steps.entries()) {
          const target = addDays(date, step.action === 'day' ? Math.max(1, step.days) : step.days);
          while (compareDates(date, target) < 0) {
            date = addDays(date, 1);
            book.runDay(date);
          }
          const where = `step ${i} ${step.action} on ${date}`;
          if (step.action === 'deposit') book.deposit(step.amount);
          else if (step.action !== 'day' && allowedNow(book.status, step.action)) {
            const before = JSON.stringify(book.charges) + book.available;
            const resources = step.action === 'increase' || step.action === 'decrease';
            const refused = resources ? book.changeResources(step.action === 'increase' ? step.units : -step.units, date) : book.event(step.action as 'stop' | 'activate' | 'delete' | 'switch' | 'manual_close', date);
            if (refused) expect(JSON.stringify(book.charges) + book.available, `${where}: a refusal changed something`).toBe(before);
          }
          check(book, where);
        }
      }),
      { numRuns: runs },
    );
  });
});

/** The subscription statuses each operation starts from (domain/subscription-operations.ts, simplified). */
function allowedNow(status: string, action: string): boolean {
  if (status === 'deleted') return false;
  if (action === 'stop' || action === 'switch' || action === 'increase' || action === 'decrease') return status === 'active';
  if (action === 'activate') return status === 'stopped';
  return true;
}
