/**
 * The columns of a canvas heatmap: which steps each column holds (at most one
 * column per pixel of width, so a long run is bucketed) and which step the
 * pointer is on. Pure.
 */

/** Splits `length` steps into `columns` contiguous buckets as even as can be. */
export function buckets(length: number, columns: number): Uint32Array {
  const n = Math.max(1, Math.min(length, columns));
  const start = new Uint32Array(n + 1);
  for (let c = 0; c <= n; c++) start[c] = Math.floor((c * length) / n);
  return start;
}

/**
 * The step index under `x` px of a plot `plotWidth` px wide whose `columns`
 * cover the steps `start[c] … start[c + 1] − 1`: the last step of that column.
 */
export function stepIndexAt(x: number, plotWidth: number, columns: number, start: ArrayLike<number>): number | null {
  if (columns === 0) return null;
  const c = Math.min(columns - 1, Math.max(0, Math.floor((x / plotWidth) * columns)));
  return start[c + 1] - 1;
}
