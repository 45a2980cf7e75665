/**
 * Chooses which steps to draw so a chart has about one point per pixel column:
 * in each column the step with the largest sum of parts (so peaks survive),
 * plus every step where some layer has a gap and its neighbours (so gaps
 * survive), plus the first and last steps. All layers use the same indices,
 * which keeps them stacked. Fewer points is what makes 200 areas fast: the
 * browser's cost of parsing path data grows with them.
 */
import { present, type Values } from "./api";

export function decimate(x: ArrayLike<number>, layers: Values[], width: number): Uint32Array {
  const n = x.length;
  if (n <= width) return Uint32Array.from({ length: n }, (_, i) => i);
  const x0 = x[0];
  const span = x[n - 1] - x0 || 1;
  const columns = Math.max(1, Math.floor(width));
  const keep = new Uint8Array(n);
  let column = -1;
  let peak = -1;
  let peakSum = -Infinity;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let gap = false;
    for (const values of layers) {
      const v = values[i];
      if (present(v)) sum += v;
      else gap = true;
    }
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
