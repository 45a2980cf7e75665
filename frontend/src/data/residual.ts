/**
 * Checks that the parts add up to the recorded total, where every part has a value.
 */
import { asColumn, present, type Series } from "./api";

/** Parts may miss the total by this fraction of it before we warn (0.1 %). */
export const TOLERANCE = 1e-3;

export interface Residual {
  /** Index of the step with the largest relative residual. */
  index: number;
  /** total - sum(parts) at that step. */
  residual: number;
  /** |residual| / |total|. */
  relative: number;
}

/** The worst step where data + penalties miss the total by more than TOLERANCE, else null. */
export function worstResidual(total: Series, parts: Series[]): Residual | null {
  let worst: Residual | null = null;
  const n = total.length;
  // Part by part (each series read front to back). A gap (NaN) or ±Infinity in
  // any part makes the sum non-finite, so that step is skipped below.
  const sums = new Float64Array(n);
  for (const p of parts) {
    const column = asColumn(p);
    for (let i = 0; i < n; i++) sums[i] += column[i];
  }
  for (let i = 0; i < n; i++) {
    const t = total[i];
    if (!present(t)) continue;
    const sum = sums[i];
    if (sum - sum !== 0) continue;
    const residual = t - sum;
    const relative = Math.abs(residual) / Math.max(Math.abs(t), Number.MIN_VALUE);
    if (relative > TOLERANCE && (worst === null || relative > worst.relative)) {
      worst = { index: i, residual, relative };
    }
  }
  return worst;
}
