/**
 * A progress indicator on stderr: one line that updates in place on a terminal, or a line every few
 * seconds (`BENCH_PROGRESS_EVERY_MS`, default 5000) when stderr is a file or a pipe, so logs stay readable.
 * stdout is left to the results.
 */
const interactive = Boolean(process.stderr.isTTY);
const everyMs = Number(process.env.BENCH_PROGRESS_EVERY_MS ?? 5_000);

const formatNumber = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`);

export class Progress {
  private readonly startedAt = Date.now();
  private done = 0;
  private note = '';
  private lastDrawn = 0;
  private finished = false;
  private readonly timer: NodeJS.Timeout;

  /** `total` undefined: an open-ended phase (elapsed time and rate only). */
  constructor(
    private readonly label: string,
    private readonly total?: number,
    private readonly unit = '',
  ) {
    // Redraw even when nothing moves, so a stalled phase is visibly stalled (the elapsed time keeps going).
    this.timer = setInterval(() => this.draw(true), interactive ? 500 : everyMs);
    this.timer.unref();
    this.draw(true);
  }

  /** Sets the count done so far (and optionally a short note: "api p99 12 ms"). */
  set(done: number, note?: string): void {
    this.done = done;
    if (note !== undefined) this.note = note;
    this.draw(false);
  }

  add(n = 1, note?: string): void {
    this.set(this.done + n, note);
  }

  /** Ends the phase with a final line (always printed); returns the elapsed milliseconds. */
  finish(note?: string): number {
    if (note !== undefined) this.note = note;
    this.finished = true;
    clearInterval(this.timer);
    const line = this.line();
    process.stderr.write(interactive ? `\r\x1b[K${line}\n` : `${line}\n`);
    return Date.now() - this.startedAt;
  }

  private line(): string {
    const elapsed = Date.now() - this.startedAt;
    const rate = elapsed > 0 ? (this.done * 1000) / elapsed : 0;
    const parts = [`[${this.label}]`];
    if (this.total !== undefined) {
      const pct = this.total > 0 ? Math.min(100, (100 * this.done) / this.total) : 100;
      parts.push(`${formatNumber(this.done)}/${formatNumber(this.total)}${this.unit ? ` ${this.unit}` : ''} (${pct.toFixed(1)}%)`);
    } else if (this.done > 0) {
      parts.push(`${formatNumber(this.done)}${this.unit ? ` ${this.unit}` : ''}`);
    }
    if (this.done > 0 && this.unit !== 's') parts.push(`${formatNumber(rate)}/s`);
    parts.push(`elapsed ${seconds(elapsed)}`);
    if (!this.finished && this.total !== undefined && this.done > 0 && this.done < this.total) {
      parts.push(`eta ${seconds(((this.total - this.done) / rate) * 1000)}`);
    }
    if (this.note) parts.push(this.note);
    return parts.join('  ');
  }

  private draw(timed: boolean): void {
    if (this.finished) return;
    const now = Date.now();
    if (interactive) {
      if (!timed && now - this.lastDrawn < 100) return;
      this.lastDrawn = now;
      process.stderr.write(`\r\x1b[K${this.line()}`);
    } else if (timed) {
      // Non-interactive: only the timer prints, every `everyMs`.
      this.lastDrawn = now;
      process.stderr.write(`${this.line()}\n`);
    }
  }
}

/** A message between phases that does not break an updating line. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}
