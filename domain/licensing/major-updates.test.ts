import { describe, expect, it } from 'vitest';
import { applyMajorUpdate, documentMaxMajor } from './major-updates';

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);

describe('a paid major update moves the license (spec 04 §5.3, §5.4)', () => {
  it('sets the entitled major and restarts the free-update window at the update', () => {
    expect(applyMajorUpdate({ quote: { supportIncluded: false }, targetMajor: 2, supportUntil: d('2025-01-10'), now: d('2024-09-15') })).toEqual({
      entitledMajor: 2,
      updateAnchorAt: d('2024-09-15'),
      supportUntil: d('2025-01-10'),
    });
  });

  it('a 50 % update does not extend support, even when support has lapsed', () => {
    expect(applyMajorUpdate({ quote: { supportIncluded: false }, targetMajor: 2, supportUntil: d('2025-01-10'), now: d('2025-06-01') }).supportUntil).toEqual(d('2025-01-10'));
  });

  it('a 100 % update is a new license: 12 months of support from now, never shortening support already bought', () => {
    expect(applyMajorUpdate({ quote: { supportIncluded: true }, targetMajor: 3, supportUntil: d('2025-01-10'), now: d('2025-06-01') }).supportUntil).toEqual(d('2026-06-01'));
    expect(applyMajorUpdate({ quote: { supportIncluded: true }, targetMajor: 3, supportUntil: d('2027-01-10'), now: d('2025-06-01') }).supportUntil).toEqual(d('2027-01-10'));
  });
});

describe('documents carry maxMajor for perpetual licenses only (spec 04 §5.3)', () => {
  it('perpetual: the entitled major; term: none', () => {
    expect(documentMaxMajor({ termType: 'perpetual', entitledMajor: 4 })).toBe(4);
    expect(documentMaxMajor({ termType: 'term', entitledMajor: 4 })).toBeNull();
  });
});
