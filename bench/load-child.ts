/**
 * The load generator of bench/api-load.ts, in its own process so it never shares an event loop with the
 * API it measures: autocannon at a fixed overall rate over a list of request paths. Reads its plan from
 * the JSON file named by `BENCH_LOAD_PLAN_FILE`, writes JSON lines to stdout: `{"type":"tick",...}` every second, then one
 * `{"type":"result",...}` with autocannon's totals and our own per-kind latencies (raw response times,
 * no coordinated-omission correction: autocannon's correction with a rate assumes a 1 ms interval).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadPlan {
  url: string;
  token: string;
  rate: number;
  connections: number;
  durationSeconds: number;
  /** Request kinds and their paths; requests go round-robin over an interleaved list of (kind, path). */
  requests: Array<{ kind: string; path: string }>;
}

export interface KindFigures {
  count: number;
  non2xx: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

function figures(times: number[], non2xx: number): KindFigures {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);
  return {
    count: sorted.length,
    non2xx,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1]! : null,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null,
  };
}

const planFile = process.env.BENCH_LOAD_PLAN_FILE;
if (!planFile) {
  console.error('BENCH_LOAD_PLAN_FILE is required');
  process.exit(78);
}
const parsed = JSON.parse(readFileSync(planFile, 'utf8')) as LoadPlan;
const plan: LoadPlan = parsed;

const times = new Map<string, number[]>();
const failures = new Map<string, number>();
const all: number[] = [];
let cursor = 0;
let responses = 0;
let errors = 0;

function finish(result: autocannon.Result): void {
  clearInterval(ticker);
  const byKind = Object.fromEntries([...times.entries()].map(([kind, list]) => [kind, figures(list, failures.get(kind) ?? 0)]));
  process.stdout.write(
    `${JSON.stringify({
      type: 'result',
      elapsedMs: Date.now() - startedAt,
      requests: result.requests.total,
      achievedRate: result.requests.total / (result.duration || plan.durationSeconds),
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: result.statusCodeStats,
      all: figures(all, result.non2xx),
      byKind,
    })}\n`,
  );
}

const instance = autocannon(
  {
    url: plan.url,
    connections: plan.connections,
    overallRate: plan.rate,
    duration: plan.durationSeconds,
    timeout: 30,
    ignoreCoordinatedOmission: true,
    headers: { authorization: `Bearer ${plan.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest(request, context) {
          const next = plan.requests[cursor++ % plan.requests.length]!;
          (context as { kind?: string }).kind = next.kind;
          return { ...request, path: next.path };
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    finish(result);
  },
);

// 'response' fires before the connection's next setupRequest, so its context still names this request's kind.
instance.on('response', (client, statusCode, _bytes, responseTime) => {
  const kind = String((client as unknown as { requestIterator: { context: { kind?: string } } }).requestIterator.context.kind ?? 'unknown');
  let list = times.get(kind);
  if (!list) times.set(kind, (list = []));
  list.push(responseTime);
  all.push(responseTime);
  if (statusCode < 200 || statusCode >= 300) failures.set(kind, (failures.get(kind) ?? 0) + 1);
  responses += 1;
});
instance.on('reqError', () => {
  errors += 1;
});

const startedAt = Date.now();
const ticker = setInterval(() => {
  const recent = all.slice(-plan.rate);
  process.stdout.write(`${JSON.stringify({ type: 'tick', elapsedMs: Date.now() - startedAt, responses, errors, recent: figures(recent, 0) })}\n`);
}, 1000);


