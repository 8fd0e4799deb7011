/** Latency quantiles from every answer's own time (float ms), nearest-rank, as both phases report them. */
export interface Quantiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function quantiles(ms: ArrayLike<number>): Quantiles {
  const sorted = Float64Array.from(ms).sort();
  const at = (p: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) };
}
