import { describe, expect, it } from "vitest";
import { BAR_QUANTITIES, barLabel, barValues, isBarQuantity } from "../../src/dynamics/dynamics_bars";
import { weightColumns } from "../../src/dynamics/dynamics_group";
import { dynamicsBreakdown, KERNEL, weight } from "./dynamics_fixture";

describe("barValues", () => {
  const values = weightColumns(dynamicsBreakdown(weight("d/kernel", KERNEL)), "d/kernel");

  it("gives logged quantities as they are, angles in degrees, and the angle over its equilibrium", () => {
    expect([...barValues(values, "weight_norm")]).toEqual([3, 3]);
    expect([...barValues(values, "decay_ratio")]).toEqual([0.75, 0.75]);
    expect([...barValues(values, "angular_update")]).toEqual([90 / Math.PI, 90 / Math.PI]);
    expect([...barValues(values, "equilibrium_ratio")]).toEqual([1, 1]);
  });

  it("has a gap where there is no equilibrium", () => {
    const bias = weightColumns(dynamicsBreakdown(weight("d/bias", { ...KERNEL, eq: null })), "d/bias");
    expect([...barValues(bias, "equilibrium_ratio")]).toEqual([NaN, NaN]);
  });
});

describe("choices", () => {
  it("offers every logged quantity but the equilibrium, and the ratio to it", () => {
    expect(BAR_QUANTITIES.map(([id]) => id)).toEqual([
      "decay_ratio",
      "angular_update",
      "equilibrium_ratio",
      "weight_norm",
      "update_norm",
      "penalty_grad_norm",
      "loss_grad_norm",
    ]);
    expect(barLabel("weight_norm")).toBe("weight norm ‖w‖");
    expect(isBarQuantity("update_norm")).toBe(true);
    expect(isBarQuantity("angular_equilibrium")).toBe(false);
  });
});
