/**
 * Orders: the stack order of a chart's bands (largest penalty next to the data
 * loss, or by name) and the rank of series at one step (what a legend lists
 * first while the cursor is on that step).
 */
import { present, type Series } from "./api";

export type BandOrder = "size" | "name";

const isOther = (key: string) => key === "other" || key === "decoupled:other";

/** Mean magnitude of the finite values: a band's size over the whole run. */
export function meanMagnitude(values: Series): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Finite only: null, NaN and infinities fail `v - v === 0` (cheaper than a call per value).
    if (v !== null && v - v === 0) {
      sum += Math.abs(v);
      n += 1;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** Mean of the finite values (null, NaN and infinities left out); NaN when there is none. */
export function finiteMean(values: ArrayLike<number | null>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v - v === 0) {
      sum += v;
      n += 1;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/**
 * Penalty layers bottom first: by size, largest first (so the largest sits on
 * the data loss and the slivers end up on top), or by name; the merged
 * `other` always last; ties by key so the order is the same on every run.
 */
export function orderLayers<L extends { key: string; values: Series }>(layers: L[], order: BandOrder): L[] {
  const size = new Map(order === "size" ? layers.map((l) => [l.key, meanMagnitude(l.values)]) : []);
  const byKey = (a: L, b: L) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return [...layers].sort(
    (a, b) =>
      Number(isOther(a.key)) - Number(isOther(b.key)) ||
      (order === "size" ? size.get(b.key)! - size.get(a.key)! : 0) ||
      byKey(a, b),
  );
}

/**
 * Indices of `series` ranked at step `i`: present values largest first (ties
 * keep the given order), then the series without a value there, in order.
 */
export function rankAt(series: readonly Series[], i: number): number[] {
  const present_: number[] = [];
  const absent: number[] = [];
  series.forEach((s, k) => (present(s[i]) ? present_ : absent).push(k));
  present_.sort((a, b) => (series[b][i] as number) - (series[a][i] as number) || a - b);
  return [...present_, ...absent];
}
