/** Dynamics breakdowns for the tests, built independently of the parser. */
import type { Breakdown } from "../../src/data/api";

/** A dynamics breakdown from `{"<quantity>/<key>": values}`; null is a gap. */
export function dynamicsBreakdown(series: Record<string, (number | null)[]>, run = "r"): Breakdown {
  const length = Object.values(series)[0]?.length ?? 0;
  const steps = Array.from({ length }, (_, i) => 10 * i);
  return {
    run,
    steps,
    wallTimes: steps.map((s) => 1000 + s),
    series: new Map(Object.entries(series)),
    columns: new Map(Object.entries(series).map(([k, v]) => [k, Float64Array.from(v, (x) => (x === null ? NaN : x))])),
    descriptions: {},
    badValues: [],
    missing: [],
    unreadable: [],
    raw: {},
  };
}

/** Every quantity of one weight, constant over `length` steps (`angular_equilibrium` left out when null). */
export function weight(key: string, q: { w: number; u: number; theta: number; eq: number | null; p: number; l: number }, length = 2) {
  const c = (v: number) => Array.from({ length }, () => v);
  const out: Record<string, number[]> = {
    [`weight_norm/${key}`]: c(q.w),
    [`update_norm/${key}`]: c(q.u),
    [`angular_update/${key}`]: c(q.theta),
    [`penalty_grad_norm/${key}`]: c(q.p),
    [`loss_grad_norm/${key}`]: c(q.l),
    [`decay_ratio/${key}`]: c(q.p / q.l),
  };
  if (q.eq !== null) out[`angular_equilibrium/${key}`] = c(q.eq);
  return out;
}

/** A weight whose decay gradient is 3/4 of the data's, with an equilibrium. */
export const KERNEL = { w: 3, u: 0.5, theta: 0.5, eq: 0.5, p: 3, l: 4 };
/** A weight whose decay gradient is 4/3 of the data's, without an equilibrium. */
export const BIAS = { w: 4, u: 1, theta: 0.25, eq: null, p: 4, l: 3 };
