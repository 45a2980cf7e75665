/**
 * The quantities the dynamics bar chart ranks groups by, and their values per
 * group: the logged quantities, angles in degrees, and the angular update over
 * its equilibrium (1 = at equilibrium). Pure.
 */
import { toDegrees } from "./angles";
import type { Quantities } from "./dynamics_group";

export type BarQuantity =
  | "decay_ratio"
  | "angular_update"
  | "equilibrium_ratio"
  | "weight_norm"
  | "update_norm"
  | "penalty_grad_norm"
  | "loss_grad_norm";

/** The choices of the bar chart's select, in its order: value and label. */
export const BAR_QUANTITIES: readonly [BarQuantity, string][] = [
  ["decay_ratio", "decay ratio (‖∇ decay‖ ÷ ‖∇ data‖)"],
  ["angular_update", "angular update (degrees per step)"],
  ["equilibrium_ratio", "angular update ÷ equilibrium"],
  ["weight_norm", "weight norm ‖w‖"],
  ["update_norm", "update norm ‖Δw‖"],
  ["penalty_grad_norm", "decay gradient norm ‖∇ decay‖"],
  ["loss_grad_norm", "data gradient norm ‖∇ data‖"],
];

/** The label of a choice. */
export function barLabel(q: BarQuantity): string {
  return BAR_QUANTITIES.find(([id]) => id === q)![1];
}

/** Whether `text` names a choice (a select's value, a stored setting). */
export function isBarQuantity(text: string): text is BarQuantity {
  return BAR_QUANTITIES.some(([id]) => id === text);
}

/** The values of `q` for one group, one per step (NaN for a gap). */
export function barValues(values: Quantities, q: BarQuantity): Float64Array {
  switch (q) {
    case "angular_update":
      return toDegrees(values.angular_update);
    case "equilibrium_ratio":
      return values.angular_update.map((a, i) => a / values.angular_equilibrium[i]);
    default:
      return values[q];
  }
}
