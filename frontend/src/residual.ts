/**
 * Checks that the parts add up to the recorded total, where every part has a value.
 */
import { present, type Values } from "./api";

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
export function worstResidual(total: Values, parts: Values[]): Residual | null {
  let worst: Residual | null = null;
  for (let i = 0; i < total.length; i++) {
    const t = total[i];
    if (!present(t)) continue;
    let sum = 0;
    let complete = true;
    for (const p of parts) {
      const v = p[i];
      if (!present(v)) {
        complete = false;
        break;
      }
      sum += v;
    }
    if (!complete) continue;
    const residual = t - sum;
    const relative = Math.abs(residual) / Math.max(Math.abs(t), Number.MIN_VALUE);
    if (relative > TOLERANCE && (worst === null || relative > worst.relative)) {
      worst = { index: i, residual, relative };
    }
  }
  return worst;
}
