/**
 * EMA smoothing exactly like TensorBoard's Scalars dashboard: debiased, gaps and
 * non-finite values pass through untouched, constant series stay as they are.
 */
import type { Values } from "./api";

export function smooth(values: Values, weight: number): Values {
  if (weight <= 0) return values;
  const first = values.find((v) => v !== null);
  const isConstant = values.every((v) => v === null || v === first);
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null || isConstant || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count += 1;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, count);
    return last / debias;
  });
}
