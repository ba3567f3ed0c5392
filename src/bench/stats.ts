/**
 * Summary statistics of repeated measurements: median and spread (min, max, quartiles), and the
 * geometric mean the targets use for ratios.
 */
export interface Spread {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  n: number;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function spread(values: number[]): Spread {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { median: quantile(s, 0.5), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, q1: quantile(s, 0.25), q3: quantile(s, 0.75), n: s.length };
}

export function geomean(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return NaN;
  return Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
}

/** A nanosecond figure with three significant digits (0.912, 12.3, 456, 12,345). */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 1000) return Math.round(ns).toLocaleString('en-US');
  if (ns >= 100) return ns.toFixed(0);
  if (ns >= 10) return ns.toFixed(1);
  return ns.toFixed(2);
}
