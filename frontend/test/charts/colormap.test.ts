import { describe, expect, it } from "vitest";
import { colorTable, cssGradient, LEVELS, viridis } from "../../src/charts/colormap";

describe("viridis", () => {
  it("hits the stops exactly and interpolates between them", () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(0.5)).toEqual([33, 145, 140]);
    // Halfway between the stops at 0 and 1/8.
    expect(viridis(1 / 16)).toEqual([70, 23, 104]);
  });

  it("clamps outside [0, 1]", () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
  });
});

describe("colorTable", () => {
  it("holds LEVELS RGB triples from the first stop to the last", () => {
    const table = colorTable();
    expect(table).toHaveLength(LEVELS * 3);
    expect([...table.slice(0, 3)]).toEqual([68, 1, 84]);
    expect([...table.slice(-3)]).toEqual([253, 231, 37]);
  });
});

describe("cssGradient", () => {
  it("lists the nine stops left to right", () => {
    const g = cssGradient();
    expect(g.startsWith("linear-gradient(to right, rgb(68,1,84) 0%, ")).toBe(true);
    expect(g.endsWith("rgb(253,231,37) 100%)")).toBe(true);
    expect(g.match(/rgb\(/g)).toHaveLength(9);
  });
});
