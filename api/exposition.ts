/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: most of our series are counted in
 * PostgreSQL at scrape time, histograms included (bucket counts come out of SQL), which a client library's
 * observe-only histograms cannot take; what is left (HTTP counts, process figures) is a few lines more.
 */
export type Labels = Record<string, string>;

/** A histogram's state: `buckets[i]` counts observations ≤ `bounds[i]` (cumulative); `count` is the +Inf bucket. */
export interface HistogramValue {
  buckets: number[];
  sum: number;
  count: number;
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

export class Exposition {
  private readonly lines: string[] = [];

  private family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string) {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  gauge(name: string, help: string, samples: Iterable<readonly [Labels, number]>): this {
    this.family(name, 'gauge', help);
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${formatNumber(value)}`);
    return this;
  }

  counter(name: string, help: string, samples: Iterable<readonly [Labels, number]>): this {
    this.family(name, 'counter', help);
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${formatNumber(value)}`);
    return this;
  }

  histogram(name: string, help: string, bounds: readonly number[], samples: Iterable<readonly [Labels, HistogramValue]>): this {
    this.family(name, 'histogram', help);
    for (const [labels, value] of samples) {
      bounds.forEach((bound, i) => this.lines.push(`${name}_bucket${formatLabels({ ...labels, le: formatNumber(bound) })} ${formatNumber(value.buckets[i] ?? 0)}`));
      this.lines.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${formatNumber(value.count)}`);
      this.lines.push(`${name}_sum${formatLabels(labels)} ${formatNumber(value.sum)}`);
      this.lines.push(`${name}_count${formatLabels(labels)} ${formatNumber(value.count)}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Histograms kept in memory, one per label set (the API process's HTTP requests). */
export class HistogramSet {
  private readonly values = new Map<string, { labels: Labels; value: HistogramValue }>();

  constructor(readonly bounds: readonly number[]) {}

  observe(labels: Labels, observed: number): void {
    const key = JSON.stringify(labels);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { labels, value: { buckets: this.bounds.map(() => 0), sum: 0, count: 0 } };
      this.values.set(key, entry);
    }
    this.bounds.forEach((bound, i) => {
      if (observed <= bound) entry.value.buckets[i]! += 1;
    });
    entry.value.sum += observed;
    entry.value.count += 1;
  }

  samples(): Array<[Labels, HistogramValue]> {
    return [...this.values.values()].map(({ labels, value }) => [labels, { ...value, buckets: [...value.buckets] }]);
  }
}

/**
 * A histogram from counts per bucket index: `counts[i]` observations fell in bucket i (i = bounds.length is
 * above the last bound), as SQL's `width_bucket` groups them.
 */
export function histogramOf(bounds: readonly number[], counts: ReadonlyMap<number, number>, sum: number): HistogramValue {
  let running = 0;
  const buckets = bounds.map((_, i) => (running += counts.get(i) ?? 0));
  return { buckets, sum, count: running + (counts.get(bounds.length) ?? 0) };
}
