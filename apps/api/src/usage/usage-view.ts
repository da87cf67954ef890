import { type UsageTotals } from '@dreamqueue/records';
import { type UsageView } from './usage-schemas';

type Figures = Omit<UsageView, 'object' | 'tenant' | 'models' | 'days'>;

/** Milliseconds to seconds with three decimals (the ledger counts whole ms). */
export const gpuSeconds = (ms: number | undefined): number => Math.round(ms ?? 0) / 1000;

/** The API shape of one scope's totals. */
export function usageFigures(t: UsageTotals): Figures {
  return {
    gpuSeconds: gpuSeconds(t.generate.gpuMs + t.train.gpuMs),
    generate: {
      gpuSeconds: gpuSeconds(t.generate.gpuMs),
      invocations: t.generate.invocations,
      images: t.generate.images,
    },
    train: { gpuSeconds: gpuSeconds(t.train.gpuMs), trainings: t.train.invocations },
  };
}
