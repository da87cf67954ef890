import { duration } from './format';

export interface BatchProgress {
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  /** Items per second, measured while watching; undefined until measurable. */
  rate?: number;
}

/**
 * One status line: `[██████░░░░░░] 12/20 done · 1 failed · 3.2/s · ETA 3s`. The bar shows finished items
 * (succeeded, failed or canceled); the ETA is the items left at the measured rate.
 */
export function renderProgress(p: BatchProgress, columns: number): string {
  const finished = p.succeeded + p.failed + p.canceled;
  const left = Math.max(0, p.total - finished);
  const parts = [
    `${finished}/${p.total} done`,
    `${p.failed} failed`,
    ...(p.canceled > 0 ? [`${p.canceled} canceled`] : []),
    p.rate !== undefined && p.rate > 0 ? `${formatRate(p.rate)}/s` : '–/s',
    `ETA ${left === 0 ? '0s' : p.rate ? duration(left / p.rate) : '?'}`,
  ];
  const text = parts.join(' · ');
  const width = Math.max(10, Math.min(40, columns - text.length - 3));
  const filled = p.total > 0 ? Math.round((finished / p.total) * width) : width;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}`;
}

const formatRate = (rate: number) => (rate >= 10 ? rate.toFixed(0) : rate.toFixed(1));

/** Items per second since watching began (at least a second apart, so one burst is not a rate). */
export class RateMeter {
  private start?: { at: number; finished: number };

  constructor(private readonly now: () => number = Date.now) {}

  observe(finished: number): number | undefined {
    const at = this.now();
    if (!this.start) {
      this.start = { at, finished };
      return undefined;
    }
    const seconds = (at - this.start.at) / 1000;
    return seconds >= 1 ? (finished - this.start.finished) / seconds : undefined;
  }
}
