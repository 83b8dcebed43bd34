// Summaries of measured durations: percentiles by nearest rank (the value below
// which p% of the samples fall, always one of the samples).

export interface LatencySummary {
  count: number;
  /** Milliseconds; undefined when there are no samples. */
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

/** The nearest-rank percentile of samples sorted ascending; undefined for none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => {
    const value = percentile(sorted, p);
    return value === undefined ? undefined : Math.round(value);
  };
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** ours / baseline, rounded to two decimals; undefined when either is missing or the baseline is 0. */
export function ratio(ours: number | undefined, baseline: number | undefined): number | undefined {
  if (ours === undefined || baseline === undefined || baseline === 0) return undefined;
  return Math.round((ours / baseline) * 100) / 100;
}
