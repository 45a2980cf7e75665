import { describe, expect, it } from "vitest";
import { LEVELS } from "../../src/charts/colormap";
import { describeRatio, ratioHeatmap, ratioLevel, ratioPixels } from "../../src/dynamics/ratio_heatmap";

describe("ratioHeatmap", () => {
  it("keeps the rows' order and takes each bucket's geometric mean as log10", () => {
    const m = ratioHeatmap(
      [
        { key: "a", label: "A", values: [10, 1000, 1, 1] },
        { key: "b", label: "B", values: [0.01, null, 0, 0] },
      ],
      4,
      2,
    );
    expect(m.keys).toEqual(["a", "b"]);
    expect(m.labels).toEqual(["A", "B"]);
    expect(m.columns).toBe(2);
    expect([...m.start]).toEqual([0, 2, 4]);
    // a: √(10·1000) = 10^2, then 1; b: the gap and the zeros are left out of the mean, zeros alone are -∞.
    expect([...m.cells]).toEqual([2, 0, -2, -Infinity]);
    expect(m.decades).toBe(2);
  });

  it("spans one decade at least, and whole decades", () => {
    expect(ratioHeatmap([{ key: "a", label: "a", values: [1.5, 0.9] }], 2, 2).decades).toBe(1);
    expect(ratioHeatmap([{ key: "a", label: "a", values: [1.5, 0.002] }], 2, 2).decades).toBe(3);
  });

  it("makes a gap of a bucket without any value", () => {
    const m = ratioHeatmap([{ key: "a", label: "a", values: [NaN, Infinity] }], 2, 1);
    expect([...m.cells]).toEqual([NaN]);
    expect(m.decades).toBe(1);
  });
});

describe("ratioLevel", () => {
  it("puts a ratio of 1 in the middle, the ends of the span at the ends, beyond clamped", () => {
    expect(ratioLevel(0, 2)).toBe(128);
    expect(ratioLevel(-2, 2)).toBe(0);
    expect(ratioLevel(2, 2)).toBe(LEVELS - 1);
    expect(ratioLevel(1, 2)).toBe(191);
    expect(ratioLevel(-Infinity, 2)).toBe(0);
    expect(ratioLevel(5, 2)).toBe(LEVELS - 1);
    expect(ratioLevel(NaN, 2)).toBe(-1);
  });
});

describe("ratioPixels", () => {
  it("colours each cell from the table and leaves gaps transparent", () => {
    const table = new Uint8Array(3 * LEVELS);
    for (let k = 0; k < LEVELS; k++) table.set([k, 0, 255 - k], 3 * k);
    const m = ratioHeatmap([{ key: "a", label: "a", values: [10, null, 0.1] }], 3, 3);
    expect([...ratioPixels(m, table)]).toEqual([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255]);
  });
});

describe("describeRatio", () => {
  it("says which gradient is larger and by how much", () => {
    expect(describeRatio(1)).toBe("decay as strong as the data");
    expect(describeRatio(2.5)).toBe("decay 2.5× stronger than the data");
    expect(describeRatio(0.04)).toBe("decay 25× weaker than the data");
    expect(describeRatio(1234)).toBe("decay 1.23e+3× stronger than the data");
    expect(describeRatio(0)).toBe("no decay");
    expect(describeRatio(null)).toBe("no value");
    expect(describeRatio(NaN)).toBe("no value");
  });
});
