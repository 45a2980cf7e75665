/**
 * Ranks the penalty groups of one run at one step: each group's value and its
 * share of the penalties at that step, largest first. Pure, for the bar chart
 * and the heatmap's row order.
 */
import { asColumn, type Series } from "./api";

export interface RankedGroup {
  key: string;
  label: string;
  /** The group's value at the step; NaN where it has no point. */
  value: number;
  /** `value` over the sum of every group's value at the step; NaN where that sum is not positive. */
  share: number;
}

interface Group {
  key: string;
  label: string;
  values: Series;
}

/** The sum of the groups' finite values at each step: what a share is a share of. */
export function stepTotals(groups: readonly Group[], length: number): Float64Array {
  const totals = new Float64Array(length);
  for (const g of groups) {
    const values = asColumn(g.values);
    for (let i = 0; i < length; i++) {
      const v = values[i];
      // `v - v === 0` is false for NaN and ±Infinity (and a gap is NaN in a column): only finite values add up.
      if (v - v === 0) totals[i] += v;
    }
  }
  return totals;
}

/** Key order, to break ties the same way everywhere. */
function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Every group at step `index`, largest value first; groups without a value there come last, by key. */
export function rankAt(groups: readonly Group[], totals: Float64Array, index: number): RankedGroup[] {
  const total = totals[index];
  const ranked = groups.map((g) => {
    const raw = g.values[index];
    const value = raw !== null && raw - raw === 0 ? raw : NaN;
    return { key: g.key, label: g.label, value, share: total > 0 ? value / total : NaN };
  });
  return ranked.sort((a, b) => {
    const na = Number.isNaN(a.value);
    const nb = Number.isNaN(b.value);
    if (na || nb) return Number(na) - Number(nb) || byKey(a, b);
    return b.value - a.value || byKey(a, b);
  });
}

/** Indices of `groups` by mean share over the steps, largest first: the heatmap's row order. */
export function orderByMeanShare(groups: readonly Group[], totals: Float64Array): number[] {
  const inverse = totals.map((t) => (t > 0 ? 1 / t : NaN));
  const means = groups.map((g) => {
    const values = asColumn(g.values);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < inverse.length; i++) {
      const share = values[i] * inverse[i];
      if (share - share === 0) {
        sum += share;
        n += 1;
      }
    }
    return n === 0 ? -Infinity : sum / n;
  });
  return groups.map((_, i) => i).sort((a, b) => means[b] - means[a] || byKey(groups[a], groups[b]));
}
