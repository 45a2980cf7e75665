import { describe, expect, it } from "vitest";
import { ANGLE_PANELS, angleExtent, angleLogExtent, anglePanels, gridColumns, toDegrees } from "../../src/dynamics/angles";
import type { Quantities } from "../../src/dynamics/dynamics_group";
import { DYNAMICS_QUANTITIES } from "../../src/data/tags";

function group(key: string, angle: number[], equilibrium: number[] = angle.map(() => NaN)) {
  const values = {} as Quantities;
  for (const q of DYNAMICS_QUANTITIES) values[q] = new Float64Array(angle.length).fill(NaN);
  values.angular_update = Float64Array.from(angle);
  values.angular_equilibrium = Float64Array.from(equilibrium);
  return { key, label: key.toUpperCase(), values };
}

describe("toDegrees", () => {
  it("converts radians, keeping gaps", () => {
    expect([...toDegrees(Float64Array.of(Math.PI, Math.PI / 180, NaN))]).toEqual([180, 1, NaN]);
  });
});

describe("anglePanels", () => {
  it("shows every group that has an angle, in the given order, in degrees", () => {
    const panels = anglePanels([group("b", [Math.PI / 2, NaN], [Math.PI, Math.PI]), group("none", [NaN, NaN]), group("a", [0, Math.PI])]);
    expect(panels.map((p) => [p.key, p.label])).toEqual([
      ["b", "B"],
      ["a", "A"],
    ]);
    expect([...panels[0].angle]).toEqual([90, NaN]);
    expect([...panels[0].equilibrium]).toEqual([180, 180]);
    expect([...panels[1].equilibrium]).toEqual([NaN, NaN]);
  });

  it("keeps the groups of largest mean angle past the limit, still in the given order", () => {
    const groups = [group("a", [1, 1]), group("b", [3, 3]), group("c", [2, 2]), group("d", [0.5, NaN])];
    expect(anglePanels(groups, 2).map((p) => p.key)).toEqual(["b", "c"]);
    expect(ANGLE_PANELS).toBe(12);
  });
});

describe("angleExtent", () => {
  it("runs from 0 to the largest angle or equilibrium, shared by the panels", () => {
    const panels = anglePanels([group("a", [0.5, NaN], [2, 1]), group("b", [1, Infinity])]);
    expect(angleExtent(panels)).toEqual([0, (2 * 180) / Math.PI]);
    expect(angleExtent([])).toEqual([0, 1]);
  });
});

describe("gridColumns", () => {
  it("fits panels of 200 px at least, 4 columns at most, no more than panels", () => {
    expect(gridColumns(12, 1360)).toBe(4);
    expect(gridColumns(12, 860)).toBe(4);
    expect(gridColumns(12, 700)).toBe(3);
    expect(gridColumns(2, 1360)).toBe(2);
    expect(gridColumns(12, 150)).toBe(1);
  });
});

describe("angleLogExtent", () => {
  it("runs from the smallest to the largest positive angle or equilibrium, zeros and gaps left out", () => {
    const panels = anglePanels([group("a", [0, Math.PI / 180, NaN], [Math.PI / 18, Math.PI / 18, Math.PI / 18]), group("b", [Math.PI / 90, Infinity, -1])]);
    expect(angleLogExtent(panels)).toEqual([1, 10]);
    expect(angleLogExtent(anglePanels([group("c", [Math.PI / 180])]))).toEqual([0.5, 2]);
    expect(angleLogExtent([])).toEqual([0.1, 1]);
  });
});
