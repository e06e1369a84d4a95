// Progress output: a bar with loss, accuracy and ETA on a terminal; one line per epoch otherwise.

export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly totalSteps: number,
    private readonly stepsPerEpoch: number,
    private readonly sink: ProgressSink,
  ) {}

  /** After each step; `loss`/`accuracy` are running means over the current epoch. */
  step(step: number, loss: number, accuracy: number): void {
    const now = performance.now();
    const done = step + 1;
    const epochEnd = done % this.stepsPerEpoch === 0 || done === this.totalSteps;
    const elapsed = (now - this.start) / 1000;
    const eta = (elapsed / done) * (this.totalSteps - done);
    const epoch = Math.ceil(done / this.stepsPerEpoch);
    const epochs = Math.ceil(this.totalSteps / this.stepsPerEpoch);
    const stats = `loss ${loss.toFixed(4)} acc ${accuracy.toFixed(4)}`;
    if (this.sink.isTTY) {
      if (!epochEnd && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((done / this.totalSteps) * width);
      const bar = '='.repeat(filled) + ' '.repeat(width - filled);
      this.sink.write(`\r${this.label} [${bar}] epoch ${epoch}/${epochs} step ${done}/${this.totalSteps} ${stats} ETA ${formatDuration(eta)}   `);
      if (done === this.totalSteps) this.sink.write('\n');
    } else if (epochEnd) {
      this.sink.write(`${this.label} epoch ${epoch}/${epochs}: ${stats}, ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}\n`);
    }
  }
}
