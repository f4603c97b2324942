import { describe, expect, it } from 'vitest';
import { parseExposition, seriesValue } from '../test/support/prometheus';
import { Exposition, HistogramSet, histogramOf } from './exposition';

describe('the Prometheus text exposition format', () => {
  it('writes HELP and TYPE before the samples, escapes label values, and ends with a line feed', () => {
    const text = new Exposition()
      .gauge('billing_orders', 'Orders by status.', [[{ status: 'activation_error' }, 2]])
      .counter('billing_weird_total', 'Help with a \\ and a\nline.', [[{ path: 'a "quoted"\\ value\nnext' }, 1.5]])
      .toString();
    expect(text).toBe(
      [
        '# HELP billing_orders Orders by status.',
        '# TYPE billing_orders gauge',
        'billing_orders{status="activation_error"} 2',
        '# HELP billing_weird_total Help with a \\\\ and a\\nline.',
        '# TYPE billing_weird_total counter',
        'billing_weird_total{path="a \\"quoted\\"\\\\ value\\nnext"} 1.5',
        '',
      ].join('\n'),
    );
    const families = parseExposition(text);
    expect(families.get('billing_weird_total')?.samples[0]?.labels.path).toBe('a "quoted"\\ value\nnext');
  });

  it('a histogram has cumulative buckets, a +Inf bucket equal to its count, and a sum', () => {
    const set = new HistogramSet([0.1, 1]);
    for (const seconds of [0.05, 0.1, 0.5, 3]) set.observe({ route: '/x' }, seconds);
    const text = new Exposition().histogram('h_seconds', 'A histogram.', set.bounds, set.samples()).toString();
    expect(text).toContain('h_seconds_bucket{route="/x",le="0.1"} 2\n');
    expect(text).toContain('h_seconds_bucket{route="/x",le="1"} 3\n');
    expect(text).toContain('h_seconds_bucket{route="/x",le="+Inf"} 4\n');
    const families = parseExposition(text);
    expect(seriesValue(families, 'h_seconds_count', { route: '/x' })).toBe(4);
    expect(seriesValue(families, 'h_seconds_sum', { route: '/x' })).toBeCloseTo(3.65);
  });

  it('builds a histogram from counts per bucket index, as SQL width_bucket gives them', () => {
    // index 0: ≤ 1; index 1: (1, 5]; index 2: above 5
    expect(histogramOf([1, 5], new Map([[0, 2], [2, 3]]), 42)).toEqual({ buckets: [2, 2], sum: 42, count: 5 });
  });

  it('the test reader refuses what Prometheus would refuse', () => {
    expect(() => parseExposition('a 1')).toThrow(/line feed/);
    expect(() => parseExposition('# TYPE a gauge\na{b="c} 1\n')).toThrow(/unterminated/);
    expect(() => parseExposition('# TYPE a gauge\na one\n')).toThrow(/not a number/);
    expect(() => parseExposition('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="y"} 2\n')).toThrow(/split/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n')).toThrow(/_count/);
  });
});
