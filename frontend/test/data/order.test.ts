import { describe, expect, it } from "vitest";
import type { Layer } from "../../src/data/group";
import { finiteMean, meanMagnitude, orderLayers, rankAt } from "../../src/data/order";

const layer = (key: string, values: (number | null)[]): Layer => ({ key, label: key, members: [key], values });

describe("orderLayers", () => {
  const layers = [
    layer("other", [9, 9]),
    layer("penalty/a", [1, 1]),
    layer("penalty/b", [-4, 2]),
    layer("penalty/c", [null, 3]),
  ];
  it("puts the largest mean magnitude first and other last", () => {
    expect(orderLayers(layers, "size").map((l) => l.key)).toEqual(["penalty/b", "penalty/c", "penalty/a", "other"]);
  });
  it("or orders by name", () => {
    expect(orderLayers(layers, "name").map((l) => l.key)).toEqual(["penalty/a", "penalty/b", "penalty/c", "other"]);
  });
  it("breaks ties by key", () => {
    expect(orderLayers([layer("z", [1]), layer("y", [1])], "size").map((l) => l.key)).toEqual(["y", "z"]);
  });
});

describe("meanMagnitude", () => {
  it("averages the absolute finite values", () => {
    expect(meanMagnitude([1, -3, null, NaN])).toBe(2);
    expect(meanMagnitude([null])).toBe(0);
  });
});

describe("rankAt", () => {
  it("ranks present values largest first, then the absent ones", () => {
    const series = [[1, 5], [3, null], [2, 5], [null, 1]];
    expect(rankAt(series, 0)).toEqual([1, 2, 0, 3]);
    expect(rankAt(series, 1)).toEqual([0, 2, 3, 1]);
  });
});

describe("finiteMean", () => {
  it("averages the finite values only, NaN when there is none", () => {
    expect(finiteMean([1, null, NaN, 3, Infinity])).toBe(2);
    expect(finiteMean(Float64Array.of(-2, 4))).toBe(1);
    expect(finiteMean([null, NaN, -Infinity])).toBeNaN();
    expect(finiteMean([])).toBeNaN();
  });
});
