/**
 * EMA smoothing exactly like TensorBoard's Scalars dashboard: debiased, gaps and
 * non-finite values pass through untouched, constant series stay as they are.
 * `smooth` works on values as received (null gaps), `smoothColumn` on the
 * drawing pipeline's columns (NaN gaps); both give the same numbers.
 */
import type { Column, Values } from "./api";

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

export function smoothColumn(values: Column, weight: number): Column {
  if (weight <= 0) return values;
  const n = values.length;
  let first = NaN;
  let constant = true;
  for (let i = 0; i < n && constant; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) constant = false;
  }
  if (constant) return values;
  const out = new Float64Array(n);
  const debias = debiasTable(weight);
  let last = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v !== 0) {
      // A gap or ±Infinity passes through.
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count += 1;
    out[i] = count < debias.length ? last / debias[count] : last;
  }
  return out;
}

let debiasFor = NaN;
let debiasValues = new Float64Array(0);
/**
 * 1 - weight^count for count = 0, 1, … up to where it rounds to exactly 1
 * (weight^count < 2^-54); the same numbers as computing each, shared by all
 * series of a breakdown.
 */
function debiasTable(weight: number): Float64Array {
  if (weight !== debiasFor) {
    const table = [0];
    for (let count = 1; count < 100000; count++) {
      const p = Math.pow(weight, count);
      if (p < 2 ** -54) break;
      table.push(1 - p);
    }
    debiasFor = weight;
    debiasValues = Float64Array.from(table);
  }
  return debiasValues;
}
