import { describe, expect, it } from "vitest";
import { capBands } from "../../src/data/bands";
import type { Layer } from "../../src/data/group";

function layer(key: string, values: number[]): Layer {
  return { key, label: key, members: [key], values };
}

describe("capBands", () => {
  const layers = [
    layer("data", [10, 10]),
    layer("penalty/a", [1, 1]),
    layer("penalty/b", [5, 5]),
    layer("penalty/c", [3, NaN]),
    layer("penalty/d", [2, 2]),
  ];

  it("leaves a chart within the cap as it is", () => {
    const capped = capBands(layers, 5, 2);
    expect(capped.layers).toBe(layers);
    expect(capped.merged).toBe(0);
  });

  it("keeps data and the largest groups in order, and merges the rest into other, last", () => {
    const capped = capBands(layers, 4, 2);
    expect(capped.merged).toBe(2);
    expect(capped.layers.map((l) => l.key)).toEqual(["data", "penalty/b", "penalty/c", "other"]);
    const other = capped.layers[3];
    expect(other.label).toBe("other terms");
    expect(other.members).toEqual(["penalty/a", "penalty/d"]);
    expect([...(other.values as Float64Array)]).toEqual([3, 3]);
  });

  it("folds an existing other band into the merged one, under the family's key", () => {
    const decoupled = [
      layer("decoupled/a", [4]),
      layer("decoupled/b", [1]),
      { ...layer("decoupled:other", [2]), members: ["decoupled/x", "decoupled/y"] },
    ];
    const capped = capBands(decoupled, 2, 1, "decoupled:other");
    expect(capped.layers.map((l) => [l.key, l.members])).toEqual([
      ["decoupled/a", ["decoupled/a"]],
      ["decoupled:other", ["decoupled/b", "decoupled/x", "decoupled/y"]],
    ]);
    expect(capped.merged).toBe(2);
    expect([...(capped.layers[1].values as Float64Array)]).toEqual([3]);
  });
});
