/** The q-quantile (0..1) of samples, by nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** "p50 1.2 ms, p95 …, p99 …" of samples in milliseconds. */
export function summary(samples: readonly number[]): { p50: number; p95: number; p99: number; n: number } {
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    p50: round(quantile(samples, 0.5)),
    p95: round(quantile(samples, 0.95)),
    p99: round(quantile(samples, 0.99)),
    n: samples.length,
  };
}
