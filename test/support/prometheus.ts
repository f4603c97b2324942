/**
 * A strict reader of the Prometheus text exposition format (0.0.4), written from the format's description
 * rather than from our writer, for tests of `GET /metrics`: it throws on any line a Prometheus server would
 * refuse, on families split or declared twice, duplicate series, and on histograms whose buckets are not
 * cumulative or whose +Inf bucket is not their count.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

function parseValue(text: string, line: string): number {
  if (!FLOAT.test(text)) throw new Error(`not a number: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  if (text.endsWith('Inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return text === 'NaN' ? NaN : Number(text);
}

/** `{a="x",b="y\"z"}` starting at `start`; returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in ${JSON.stringify(line)}`);
    const name = line.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in ${JSON.stringify(line)}`);
    if (name in labels) throw new Error(`label ${name} twice in ${JSON.stringify(line)}`);
    if (line[eq + 1] !== '"') throw new Error(`label value not quoted in ${JSON.stringify(line)}`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape \\${next} in ${JSON.stringify(line)}`);
      } else {
        value += line[j];
      }
    }
    if (j >= line.length) throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') throw new Error(`expected , or } in ${JSON.stringify(line)}`);
  }
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = families.get(sampleName.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const enter = (family: Family) => {
    if (current && current !== family) closed.add(current.name);
    if (closed.has(family.name)) throw new Error(`family ${family.name} is split`);
    current = family;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, keyword, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
      let family = families.get(name);
      if (keyword === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type in ${JSON.stringify(line)}`);
        if (family?.samples.length) throw new Error(`TYPE of ${name} after its samples`);
        if (family && family.type !== 'untyped') throw new Error(`TYPE of ${name} twice`);
        family ??= { name, type: 'untyped', samples: [] };
        family.type = rest as Family['type'];
      } else {
        if (family?.help !== undefined) throw new Error(`HELP of ${name} twice`);
        family ??= { name, type: 'untyped', samples: [] };
        family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      families.set(name, family);
      enter(family);
      continue;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    const name = nameMatch[0];
    let labels: Record<string, string> = {};
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const [parsed, end] = parseLabels(line, name.length);
      labels = parsed;
      rest = line.slice(end);
    }
    const parts = rest.trim().split(/\s+/);
    if (!/^\s/.test(rest) || parts.length < 1 || parts.length > 2) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`bad timestamp in ${JSON.stringify(line)}`);
    const value = parseValue(parts[0]!, line);
    const family = familyOf(name, families) ?? { name, type: 'untyped' as const, samples: [] };
    if (!families.has(family.name)) families.set(family.name, family);
    enter(family);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series ${key}`);
    seen.add(key);
    family.samples.push({ name, labels, value });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}_bucket without le`);
      entry.buckets.push([parseValue(le, `le="${le}"`), sample.value]);
    } else if (sample.name === `${family.name}_count`) entry.count = sample.value;
    else if (sample.name === `${family.name}_sum`) entry.sum = sample.value;
    else throw new Error(`histogram ${family.name} has a sample ${sample.name}`);
  }
  for (const [key, entry] of series) {
    const sorted = [...entry.buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    }
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (entry.count !== inf[1]) throw new Error(`${family.name}${key}: _count ${entry.count} is not the +Inf bucket ${inf[1]}`);
    if (entry.sum === undefined) throw new Error(`${family.name}${key}: no _sum`);
  }
}

/** The value of one series, or undefined: `value(families, 'billing_tasks', { status: 'failed' })`. */
export function seriesValue(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(sampleName, families);
  const want = Object.entries(labels);
  const matches = family?.samples.filter((s) => s.name === sampleName && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v));
  if (matches && matches.length > 1) throw new Error(`${sampleName} ${JSON.stringify(labels)} matches ${matches.length} series`);
  return matches?.[0]?.value;
}

/** The sum of every series of `sampleName` whose labels include `labels`. */
export function seriesSum(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number {
  const family = familyOf(sampleName, families);
  return (family?.samples ?? [])
    .filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
