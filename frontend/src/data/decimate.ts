/**
 * Chooses which steps to draw so a chart has about one point per pixel column:
 * in each column the step with the largest sum of parts (so peaks survive),
 * plus every step where some layer has a gap and its neighbours (so gaps
 * survive), plus the first and last steps. All layers use the same indices,
 * which keeps them stacked. Fewer points is what makes 200 areas fast: the
 * browser's cost of parsing path data grows with them.
 */
import { asColumn, type Series } from "./api";

export function decimate(x: ArrayLike<number>, layers: Series[], width: number): Uint32Array {
  const n = x.length;
  if (n <= width) return Uint32Array.from({ length: n }, (_, i) => i);
  const x0 = x[0];
  const span = x[n - 1] - x0 || 1;
  const columns = Math.max(1, Math.floor(width));
  const keep = new Uint8Array(n);
  // Layer by layer (each series read front to back), not step by step across 200 arrays.
  const sums = new Float64Array(n);
  const gaps = new Uint8Array(n);
  for (const values of layers) {
    const column = asColumn(values);
    for (let i = 0; i < n; i++) {
      const v = column[i];
      // v - v is 0 exactly for finite v (NaN and ±Infinity give NaN): no call per point.
      if (v - v === 0) sums[i] += v;
      else gaps[i] = 1;
    }
  }
  let column = -1;
  let peak = -1;
  let peakSum = -Infinity;
  for (let i = 0; i < n; i++) {
    const sum = sums[i];
    const gap = gaps[i] === 1;
    const c = Math.min(columns - 1, Math.floor(((x[i] - x0) / span) * columns));
    if (c !== column) {
      if (peak >= 0) keep[peak] = 1;
      column = c;
      peak = i;
      peakSum = sum;
    } else if (sum > peakSum) {
      peak = i;
      peakSum = sum;
    }
    if (gap) {
      keep[i] = 1;
      // The neighbours bound the gap, so the break is drawn where it happens.
      if (i > 0) keep[i - 1] = 1;
      if (i + 1 < n) keep[i + 1] = 1;
    }
  }
  if (peak >= 0) keep[peak] = 1;
  keep[0] = 1;
  keep[n - 1] = 1;
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i];
  const out = new Uint32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = i;
  return out;
}
