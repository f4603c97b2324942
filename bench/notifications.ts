/**
 * Benchmark 4 (issue 9): notifications.
 *
 *   npm run bench:notifications -- --seconds-per-template 1 --messages 2000
 *
 * Render rate: every shipped e-mail template (domain/notifications/default-templates.ts), in every language
 * it has, rendered with `renderTemplate` and the event's sample variables (`sampleVariables`, what the
 * template editor's preview uses) as the notification activity does: first render (compiles; the compiled
 * template is then cached by source) and warm renders per second, then all templates in turn.
 *
 * Delivery rate: rendered e-mails sent through the platform's SMTP channel (`sendMail` of
 * activities/notifications/channels.ts, nodemailer, pooled with 10 connections as configured there) to the
 * test suite's SMTP receiver (smtp-server + mailparser) in this process, `--concurrency` at a time; every
 * message must arrive. A second row uses a pooled nodemailer transport with one connection per message in
 * flight, for comparison.
 */
import nodemailer from 'nodemailer';
import { sendMail } from '../operations/notifications/channels';
import { defaultTemplates } from '../domain/notifications/default-templates';
import { nestVariables, renderTemplate, sampleVariables, type RenderedTemplate } from '../domain/notifications/templates';
import { startSmtpReceiver } from '../test/fakes/smtp-receiver';
import { boolOption, helpRequested, intOption } from './lib/options';
import { Progress, say } from './lib/progress';
import { fmt, percentiles, printResult, type Section } from './lib/report';

helpRequested(`
bench/notifications.ts: template render rate and SMTP delivery rate (issue 9, benchmark 4)
  --ms-per-template N   warm rendering time per template and language, in ms (default 500)
  --mixed-seconds N     all templates in turn, seconds (default 5)
  --messages N          e-mails to deliver (default 2000)
  --concurrency N       deliveries in flight (default 10)
  --pooled B            also deliver through a pooled transport, for comparison (default true)
Every flag also reads BENCH_<NAME> (BENCH_MESSAGES=2000).
`);

const options = {
  msPerTemplate: Math.max(10, intOption('ms-per-template', 500)),
  mixedSeconds: Math.max(1, intOption('mixed-seconds', 5)),
  messages: Math.max(1, intOption('messages', 2000)),
  concurrency: Math.max(1, intOption('concurrency', 10)),
  pooled: boolOption('pooled', true),
};

const startedAt = new Date().toISOString();
const email = defaultTemplates.filter((t) => t.channel === 'email');
const cases = email.flatMap((t) => Object.keys(t.versions).map((language) => ({ template: t, language, data: nestVariables(sampleVariables(t.event)) })));
say(`[notifications] ${email.length} e-mail templates, ${cases.length} template × language cases`);

// ---- Rendering ------------------------------------------------------------------------------------------
const perCase: Array<{ key: string; language: string; firstMs: number; perSecond: number; bytes: number }> = [];
const rendering = new Progress('render each template', cases.length, 'templates');
for (const c of cases) {
  const first = performance.now();
  let rendered: RenderedTemplate = renderTemplate(c.template, c.data, c.language);
  const firstMs = performance.now() - first;
  let n = 0;
  const start = performance.now();
  const until = start + options.msPerTemplate;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) rendered = renderTemplate(c.template, c.data, c.language);
    n += 50;
  }
  const elapsed = performance.now() - start;
  perCase.push({ key: c.template.key, language: c.language, firstMs, perSecond: (n * 1000) / elapsed, bytes: (rendered.subject?.length ?? 0) + rendered.text.length + (rendered.html?.length ?? 0) });
  rendering.add();
}
rendering.finish();

const mixed = new Progress('render all templates in turn', options.mixedSeconds, 's');
let mixedCount = 0;
const mixedStart = performance.now();
const mixedUntil = mixedStart + options.mixedSeconds * 1000;
while (performance.now() < mixedUntil) {
  for (const c of cases) renderTemplate(c.template, c.data, c.language);
  mixedCount += cases.length;
  mixed.set(Math.floor((performance.now() - mixedStart) / 1000));
}
const mixedMs = performance.now() - mixedStart;
mixed.finish();
const mixedRate = (mixedCount * 1000) / mixedMs;

// ---- Delivery -------------------------------------------------------------------------------------------
const receiver = await startSmtpReceiver();
const messages = Array.from({ length: Math.min(cases.length, options.messages) }, (_, i) => {
  const c = cases[i % cases.length]!;
  const r = renderTemplate(c.template, c.data, c.language);
  return { to: r.recipients.to ?? 'someone@example.com', subject: r.subject ?? '(no subject)', text: r.text, html: r.html };
});

async function deliver(label: string, send: (m: (typeof messages)[number]) => Promise<unknown>) {
  const before = receiver.received.length;
  const progress = new Progress(label, options.messages, 'e-mails');
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.messages) }, async () => {
      for (let i = next++; i < options.messages; i = next++) {
        const t0 = performance.now();
        try {
          await send(messages[i % messages.length]!);
          latencies.push(performance.now() - t0);
        } catch (err) {
          failed += 1;
          if (failed <= 3) say(`delivery failed: ${(err as Error).message}`);
        }
        progress.add(1, failed ? `FAILED ${failed}` : undefined);
      }
    }),
  );
  const ms = performance.now() - start;
  progress.finish();
  // The receiver parses each message after accepting it: wait until it has them all.
  const deadline = Date.now() + 30_000;
  while (receiver.received.length - before < options.messages - failed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { sent: latencies.length, failed, received: receiver.received.length - before, ms, perSecond: (latencies.length * 1000) / ms, latency: percentiles(latencies) };
}

const channel = await deliver('deliver via the SMTP channel', (m) => sendMail({ url: receiver.url, from: 'billing@localhost' }, m));
let pooled: Awaited<ReturnType<typeof deliver>> | null = null;
if (options.pooled) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, pool: true, maxConnections: options.concurrency, maxMessages: Infinity });
  pooled = await deliver('deliver via a pooled transport', (m) => transport.sendMail({ from: 'billing@localhost', ...m, html: m.html ?? undefined }));
  transport.close();
}
await receiver.close();

// ---- Report ---------------------------------------------------------------------------------------------
const rates = perCase.map((c) => c.perSecond);
const rateFigures = percentiles(rates, [50]);
const slowest = [...perCase].sort((a, b) => a.perSecond - b.perSecond).slice(0, 5);
const sections: Section[] = [
  {
    title: 'Rendering (one process, one core)',
    columns: ['figure', 'value'],
    rows: [
      ['e-mail templates × languages', cases.length],
      ['all templates in turn: renders per second', fmt.int(mixedRate)],
      ['per template: median renders per second', fmt.int(rateFigures.p50)],
      ['per template: slowest renders per second', fmt.int(Math.min(...rates))],
      ['per template: fastest renders per second', fmt.int(Math.max(...rates))],
      ['first render (compiles), median', fmt.ms(percentiles(perCase.map((c) => c.firstMs), [50]).p50)],
      ['first render (compiles), slowest', fmt.ms(Math.max(...perCase.map((c) => c.firstMs)))],
    ],
  },
  {
    title: 'Slowest templates to render',
    columns: ['template', 'language', 'renders/s', 'first render', 'output chars'],
    rows: slowest.map((c) => [c.key, c.language, fmt.int(c.perSecond), fmt.ms(c.firstMs), fmt.int(c.bytes)]),
  },
  {
    title: `Delivery to the local SMTP receiver (${options.messages} e-mails, ${options.concurrency} in flight)`,
    columns: ['transport', 'sent', 'failed', 'received', 'per second', 'p50', 'p99'],
    rows: [
      ['platform SMTP channel (pooled, up to 10 connections)', fmt.int(channel.sent), fmt.int(channel.failed), fmt.int(channel.received), fmt.num(channel.perSecond), fmt.ms(channel.latency.p50), fmt.ms(channel.latency.p99)],
      ...(pooled ? [['pooled transport, a connection per e-mail in flight (comparison)', fmt.int(pooled.sent), fmt.int(pooled.failed), fmt.int(pooled.received), fmt.num(pooled.perSecond), fmt.ms(pooled.latency.p50), fmt.ms(pooled.latency.p99)]] : []),
    ],
  },
];
await printResult(
  {
    benchmark: 'notifications',
    options,
    startedAt,
    figures: { render: { cases: cases.length, mixedPerSecond: mixedRate, perTemplate: perCase }, delivery: { channel, pooled } },
  },
  sections,
);
if (channel.failed > 0 || channel.received < channel.sent) process.exitCode = 1;
