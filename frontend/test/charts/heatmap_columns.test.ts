import { describe, expect, it } from "vitest";
import { buckets, stepIndexAt } from "../../src/charts/heatmap_columns";

describe("buckets", () => {
  it("splits steps evenly, at most one column per step", () => {
    expect([...buckets(10, 4)]).toEqual([0, 2, 5, 7, 10]);
    expect([...buckets(3, 100)]).toEqual([0, 1, 2, 3]);
    expect([...buckets(0, 5)]).toEqual([0, 0]);
  });
});

describe("stepIndexAt", () => {
  it("is the last step of the column under x, clamped to the plot", () => {
    const start = [0, 3, 6, 10]; // three columns over ten steps
    expect(stepIndexAt(0, 300, 3, start)).toBe(2);
    expect(stepIndexAt(150, 300, 3, start)).toBe(5);
    expect(stepIndexAt(299, 300, 3, start)).toBe(9);
    expect(stepIndexAt(-5, 300, 3, start)).toBe(2);
    expect(stepIndexAt(900, 300, 3, start)).toBe(9);
    expect(stepIndexAt(10, 300, 0, [0])).toBeNull();
  });
});
