/**
 * Benchmark 1 (issue 9): order throughput, with the raw Temporal floor in the same run.
 *
 *   npm run bench:orders -- --orders 3000 --concurrency 30
 *
 * Platform phase: `--orders` prepaid purchase orders, created through the HTTP API (`POST /api/v1/orders`)
 * with `--concurrency` orders in flight (an order's slot is freed when the order is completed), paid from
 * the client's balance by the scenario, provisioned through the `http-vendor` plugin at the fake vendor
 * (or the built-in `licensing` plugin: `--plugin licensing`). Latency is create request sent → order
 * completed (`orders.closed_at`, written in the completing transaction; same machine, same clock).
 *
 * Floor phase (same run, same Temporal server and worker process): an empty workflow that runs the same
 * sequence of activities and local activities as the purchase scenario did — counted from the history of
 * a real order of the warm-up — started through the Temporal client at the same concurrency, on a sibling
 * worker (bench/worker.ts). Ratio = floor orders/s ÷ platform orders/s (≤ 1.5 is the target).
 *
 * Processes: Temporal dev server, API, worker and fake vendor each in their own process; this process only
 * creates orders, polls the database for completions (one query every 25 ms) and measures.
 */
import { Client, Connection } from '@temporalio/client';
import { cpuBetween, cpuSection, postgresBackends, sampleCpu, type CpuFigures } from './lib/cpu';
import { Bench, apiClient, runBenchmark, sleep } from './lib/harness';
import { boolOption, helpRequested, intOption, stringOption } from './lib/options';
import { Progress, say } from './lib/progress';
import { fmt, percentiles, printResult, type Section } from './lib/report';

helpRequested(`
bench/orders.ts: order throughput and the Temporal floor (issue 9, benchmark 1)
  --orders N         measured purchase orders (default 2000, as BENCHMARKS.md records)
  --concurrency C    orders in flight (default 30)
  --warmup N         orders before measuring, also used to count the scenario's history (default 50)
  --clients N        clients the orders are spread over (default 60; each is topped up to pay its share)
  --plugin P         http-vendor (default, the fake vendor over HTTP) or licensing (built in)
  --temporal T       file (default: SQLite file, as npm start) or memory
  --sqlite-pragmas   comma-separated PRAGMA=VALUE for the dev server's SQLite file (default
                     journal_mode=wal,synchronous=normal, as npm start; none: SQLite's defaults)
  --floor B          run the floor phase (default true)
  --timeout-seconds  an order not finished after this long counts as failed (default 300)
  --keep             keep the database and the temp dir (logs)
Every flag also reads BENCH_<NAME> (BENCH_ORDERS=3000).
`);

const options = {
  orders: intOption('orders', 2000),
  concurrency: Math.max(1, intOption('concurrency', 30)),
  warmup: Math.max(1, intOption('warmup', 50)),
  clients: Math.max(1, intOption('clients', 60)),
  plugin: stringOption('plugin', 'http-vendor', ['http-vendor', 'licensing'] as const),
  temporal: stringOption('temporal', 'file', ['file', 'memory'] as const),
  sqlitePragmas: stringOption('sqlite-pragmas', 'journal_mode=wal,synchronous=normal').split(',').filter((p) => p && p !== 'none'),
  floor: boolOption('floor', true),
  timeoutSeconds: intOption('timeout-seconds', 300),
  keep: boolOption('keep'),
};

/** Purchase price of the plan below: setup fee 5.00 + one month 10.00. */
const orderAmount = 1500;
const floorTaskQueue = 'bench-floor';

interface Sample {
  sentAt: number;
  createdMs: number;
  doneAt: number;
  ok: boolean;
}

interface LoopResult {
  samples: Sample[];
  startedAt: number;
  finishedAt: number;
}

/** Runs `count` jobs with `concurrency` in flight; each job resolves to its sample. */
async function closedLoop(count: number, concurrency: number, job: (i: number) => Promise<Sample>, progress?: Progress): Promise<LoopResult> {
  const samples: Sample[] = [];
  let next = 0;
  let failed = 0;
  const startedAt = Date.now();
  async function lane() {
    for (let i = next++; i < count; i = next++) {
      const sample = await job(i);
      samples.push(sample);
      if (!sample.ok) failed += 1;
      if (progress) {
        const recent = samples.slice(-200).map((s) => s.doneAt - s.sentAt);
        progress.set(samples.length, `in flight ${Math.min(concurrency, count - samples.length)}  p50(last 200) ${fmt.ms(percentiles(recent).p50)}${failed ? `  FAILED ${failed}` : ''}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { samples, startedAt, finishedAt: Date.now() };
}

function summarize({ samples, startedAt }: LoopResult) {
  const ok = samples.filter((s) => s.ok);
  const lastDone = ok.length ? Math.max(...ok.map((s) => s.doneAt)) : startedAt;
  const elapsedMs = lastDone - startedAt;
  const latency = percentiles(ok.map((s) => s.doneAt - s.sentAt));
  return {
    completed: ok.length,
    failed: samples.length - ok.length,
    elapsedMs,
    perSecond: elapsedMs > 0 ? (ok.length * 1000) / elapsedMs : 0,
    latency,
    create: percentiles(ok.map((s) => s.createdMs)),
  };
}

/** How many warm-up orders' histories are read to find the purchase scenario's shape. */
const shapeSamples = 5;

interface ScenarioShape {
  pattern: string;
  activities: number;
  localActivities: number;
  workflowTasks: number;
  events: number;
}

/**
 * The shape of a finished scenario, counted from its history. The order is completed in the database by a
 * local activity before the workflow's last task has finished, so the history is read only once the
 * workflow has closed: read earlier, it lacks the last task's markers and events (issue 16, point 13).
 */
async function scenarioShape(temporal: Client, workflowId: string): Promise<ScenarioShape> {
  const handle = temporal.workflow.getHandle(workflowId);
  await handle.result();
  const history = await handle.fetchHistory();
  let pattern = '';
  let workflowTasks = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes) pattern += 'A';
    else if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') pattern += 'L';
    else if (event.workflowTaskCompletedEventAttributes) workflowTasks += 1;
  }
  const activities = [...pattern].filter((c) => c === 'A').length;
  return { pattern, activities, localActivities: pattern.length - activities, workflowTasks, events: history.events?.length ?? 0 };
}

function describeShape(s: ScenarioShape): string {
  return `${s.activities} activities, ${s.localActivities} local activities, ${s.workflowTasks} workflow tasks, ${s.events} events`;
}

const bench = await Bench.create('orders', { keep: options.keep });
await runBenchmark(bench, async () => {
  const startedAt = new Date().toISOString();
  const db = await bench.database();
  const platform = await bench.platform({
    databaseUrl: db.url,
    temporal: options.temporal,
    temporalPragmas: options.sqlitePragmas,
    vendor: options.plugin === 'http-vendor',
    floorTaskQueue: options.floor ? floorTaskQueue : undefined,
  });
  const api = apiClient(platform.api);
  const sql = db.sql;

  // Catalogue, clients and their money: through the API, as an integrator would.
  const setup = new Progress('set-up: catalogue, clients, top-ups', options.clients, 'clients');
  const rule = await api('POST', '/api/v1/service-rules', { key: 'bench', name: 'Bench', unpaidOrderCancelDays: 14 });
  const provisioning = await api('POST', '/api/v1/provisioning-rules', { key: 'bench', name: 'Bench' });
  const product = await api('POST', '/api/v1/products', { name: 'Bench product' });
  let settings: Record<string, unknown>;
  if (options.plugin === 'http-vendor') {
    settings = { baseUrl: platform.vendor!.url, secret: platform.vendor!.secret, timeoutMs: 10_000 };
  } else {
    await api('POST', '/api/v1/licensing/vendors', { name: 'Bench Software', prefix: 'BNCH' });
    await api('POST', '/api/v1/licensing/products', { vendorPrefix: 'BNCH', code: 'bench-app', name: 'Bench app', maxActivations: 3, activationPolicy: 'Medium' });
    settings = { vendorPrefix: 'BNCH', productCode: 'bench-app' };
  }
  const template = await api('POST', '/api/v1/service-templates', { name: 'Bench template', plugin: options.plugin, settings });
  const plan = await api('POST', '/api/v1/plans', {
    productId: product.id,
    serviceTemplateId: template.id,
    provisioningRuleId: provisioning.id,
    name: 'Bench plan',
    sku: 'BENCH-1',
    currency: 'EUR',
    periods: [{ duration: 1, unit: 'month', setupFee: 500, recurringFee: 1000 }],
  });
  const planPeriodId: number = plan.periods[0].id;
  const perClient = Math.ceil((options.orders + options.warmup) / options.clients) + 2;
  const clientIds: number[] = [];
  for (let i = 0; i < options.clients; i++) {
    const client = await api('POST', '/api/v1/clients', {
      name: `Bench client ${i + 1}`,
      serviceRuleId: rule.id,
      contacts: [{ name: 'Owner', email: `owner${i + 1}@example.com`, role: 'owner', language: 'en' }],
    });
    await api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: perClient * orderAmount, method: 'bank_transfer' });
    clientIds.push(client.id);
    setup.set(i + 1);
  }
  setup.finish();

  // Completions are read from the database by one poller, not by the lanes: the load stays the orders.
  const waiting = new Map<number, (done: { at: number; ok: boolean }) => void>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if (waiting.size > 0) {
        const rows = await sql<Array<{ id: number; status: string; closed_ms: string | null }>>`
          select id, status, (extract(epoch from coalesce(closed_at, updated_at)) * 1000)::bigint::text as closed_ms
          from orders where id = any(${[...waiting.keys()]}::int[]) and status in ('completed', 'cancelled', 'activation_error')`;
        for (const row of rows) {
          const resolve = waiting.get(row.id);
          waiting.delete(row.id);
          resolve?.({ at: Number(row.closed_ms), ok: row.status === 'completed' });
        }
      }
      await sleep(25);
    }
  })();

  const createOrder = async (i: number): Promise<Sample> => {
    const sentAt = Date.now();
    const res = await fetch(`${platform.api.url}/api/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: clientIds[i % clientIds.length], planPeriodId }),
    });
    const body = (await res.json()) as { id?: number };
    const createdMs = Date.now() - sentAt;
    if (res.status !== 201 || !body.id) {
      say(`order ${i}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { sentAt, createdMs, doneAt: Date.now(), ok: false };
    }
    const id = body.id;
    // An order that neither completes nor fails within the timeout (stuck awaiting payment) counts as failed.
    const done = await new Promise<{ at: number; ok: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        say(`order ${id} did not finish in ${options.timeoutSeconds} s`);
        resolve({ at: Date.now(), ok: false });
      }, options.timeoutSeconds * 1000);
      waiting.set(id, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
    return { sentAt, createdMs, doneAt: done.at, ok: done.ok };
  };

  const warmProgress = new Progress('warm-up orders', options.warmup, 'orders');
  const warm = await closedLoop(options.warmup, options.concurrency, createOrder, warmProgress);
  warmProgress.finish();
  if (warm.samples.some((s) => !s.ok)) throw new Error('warm-up orders failed; see the API and worker logs');

  // The shape of a real purchase scenario, from its history: activities (A) and local activities (L) in order.
  const connection = await Connection.connect({ address: platform.temporalAddress });
  bench.defer('temporal client', () => connection.close());
  const temporal = new Client({ connection, namespace: 'default' });
  const sampleOrders = await sql<Array<{ workflow_id: string }>>`select workflow_id from orders where status = 'completed' order by id desc limit ${shapeSamples}`;
  const shapes = await Promise.all(sampleOrders.map((o) => scenarioShape(temporal, o.workflow_id)));
  const shape = shapes[0]!;
  const { pattern, activities: activityCount, localActivities: localCount, workflowTasks } = shape;
  const shapeText = describeShape(shape);
  const distinctShapes = [...new Set(shapes.map(describeShape))];
  say(`[orders] purchase scenario, history read after the workflow closed (${shapes.length} warm-up orders): ${distinctShapes.join(' | ')}`);
  if (distinctShapes.length > 1) say(`[orders] the warm-up orders differ in shape; the floor runs the newest one's: ${shapeText}`);

  const cpuGroups = async () => ({ ...bench.processGroups(), PostgreSQL: await postgresBackends(sql) });
  const measured = new Progress('platform orders', options.orders, 'orders');
  const platformCpuBefore = await sampleCpu(await cpuGroups());
  const platformRun = await closedLoop(options.orders, options.concurrency, (i) => createOrder(options.warmup + i), measured);
  const platformCpu = await cpuBetween(platformCpuBefore, await sampleCpu(await cpuGroups()));
  measured.finish();
  polling = false;
  await poller;
  const platformFigures = summarize(platformRun);
  const [scenarioDurations] = await sql<Array<{ p50: number; p95: number; p99: number }>>`
    select percentile_cont(0.5) within group (order by duration_ms) as p50, percentile_cont(0.95) within group (order by duration_ms) as p95,
           percentile_cont(0.99) within group (order by duration_ms) as p99
    from scenarios where type = 'order_processing' and status = 'completed' and started_at >= ${new Date(platformRun.startedAt)}`;

  let floorFigures: ReturnType<typeof summarize> | null = null;
  let floorCpu: CpuFigures | null = null;
  if (options.floor) {
    let n = 0;
    const runFloor = async (): Promise<Sample> => {
      const sentAt = Date.now();
      try {
        await temporal.workflow.execute('floorWorkflow', { taskQueue: floorTaskQueue, workflowId: `floor-${n++}-${sentAt}`, args: [{ pattern }] });
        return { sentAt, createdMs: 0, doneAt: Date.now(), ok: true };
      } catch (err) {
        say(`floor workflow failed: ${(err as Error).message}`);
        return { sentAt, createdMs: 0, doneAt: Date.now(), ok: false };
      }
    };
    const floorWarm = new Progress('warm-up floor', options.warmup, 'workflows');
    await closedLoop(options.warmup, options.concurrency, runFloor, floorWarm);
    floorWarm.finish();
    const floorProgress = new Progress('Temporal floor', options.orders, 'workflows');
    const floorCpuBefore = await sampleCpu(await cpuGroups());
    floorFigures = summarize(await closedLoop(options.orders, options.concurrency, runFloor, floorProgress));
    floorCpu = await cpuBetween(floorCpuBefore, await sampleCpu(await cpuGroups()));
    floorProgress.finish();
  }

  const p = platformFigures;
  const f = floorFigures;
  const ratio = f ? f.perSecond / p.perSecond : null;
  const latencyRow = (name: string, l: Record<string, number | null>) => [name, fmt.ms(l.p50), fmt.ms(l.p90), fmt.ms(l.p95), fmt.ms(l.p99), fmt.ms(l.max)];
  const sections: Section[] = [
    {
      title: 'Throughput',
      columns: ['run', 'completed', 'failed', 'elapsed', 'per second'],
      rows: [
        ['platform: purchase orders via the API', fmt.int(p.completed), fmt.int(p.failed), fmt.s(p.elapsedMs), fmt.num(p.perSecond)],
        ...(f ? [['Temporal floor: empty workflow, same activities', fmt.int(f.completed), fmt.int(f.failed), fmt.s(f.elapsedMs), fmt.num(f.perSecond)]] : []),
      ],
    },
    {
      title: 'Latency (create → completed)',
      columns: ['', 'p50', 'p90', 'p95', 'p99', 'max'],
      rows: [
        latencyRow('platform order', p.latency),
        ...(f ? [latencyRow('floor workflow', f.latency)] : []),
        latencyRow('of which POST /orders answered', p.create),
        ['scenario duration (read model)', fmt.ms(scenarioDurations?.p50), '—', fmt.ms(scenarioDurations?.p95), fmt.ms(scenarioDurations?.p99), '—'],
      ],
    },
    {
      title: 'Scenario shape and ratios',
      columns: ['figure', 'value'],
      rows: [
        ['activities per purchase scenario', activityCount],
        ['local activities per purchase scenario', localCount],
        ['workflow tasks per purchase scenario', workflowTasks],
        ['history events per purchase scenario', shape.events],
        ['shapes seen in the warm-up orders checked', `${distinctShapes.length} of ${shapes.length} orders`],
        ['throughput ratio floor ÷ platform', ratio === null ? '—' : `${ratio.toFixed(2)}× (floor shape: ${shapeText})`],
        ['p50 latency ratio platform ÷ floor', f ? `${((p.latency.p50 ?? 0) / (f.latency.p50 ?? 1)).toFixed(2)}×` : '—'],
        ['p99 latency ratio platform ÷ floor', f ? `${((p.latency.p99 ?? 0) / (f.latency.p99 ?? 1)).toFixed(2)}×` : '—'],
      ],
    },
    cpuSection('CPU per process during each phase', [{ phase: 'platform orders', cpu: platformCpu }, ...(floorCpu ? [{ phase: 'Temporal floor', cpu: floorCpu }] : [])]),
  ];
  await printResult(
    {
      benchmark: 'orders',
      options,
      startedAt,
      figures: { platform: p, floor: f, ratio, cpu: { platform: platformCpu, floor: floorCpu }, scenario: { activities: activityCount, localActivities: localCount, workflowTasks, historyEvents: shape.events, pattern, distinctShapes }, scenarioDurationMs: scenarioDurations },
      targets: [
        { target: '≥ 30 orders/s sustained', measured: `${p.perSecond.toFixed(1)} orders/s`, met: p.perSecond >= 30 },
        ...(ratio === null ? [] : [{ target: '≤ 1.5 × the Temporal floor', measured: `${ratio.toFixed(2)}× (${shapeText})`, met: ratio <= 1.5 }]),
      ],
    },
    sections,
  );
});
