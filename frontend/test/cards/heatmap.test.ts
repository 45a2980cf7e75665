import { describe, expect, it } from "vitest";
import { colorTable, LEVELS } from "../../src/charts/colormap";
import { heatmapModel, heatmapPixels, levelScale } from "../../src/cards/heatmap";

const groups = [
  { key: "small", label: "small <b>", values: [1, 1, 1, 1] },
  { key: "big", label: "big", values: [3, 3, 1, null] },
  { key: "zero", label: "zero", values: [0, 0, 2, 3] },
];

describe("heatmapModel", () => {
  it("takes the step totals it is given", () => {
    const m = heatmapModel(groups, 4, 4, "share", new Float64Array([8, 8, 8, 0]));
    expect([...m.cells.slice(0, 4)]).toEqual([0.375, 0.375, 0.125, NaN]);
  });

  it("orders rows by mean share and averages shares per bucket", () => {
    // Totals 4, 4, 4, 4. Shares: small 1/4 each; big 3/4, 3/4, 1/4, –; zero 0, 0, 1/2, 3/4.
    const m = heatmapModel(groups, 4, 2, "share");
    expect(m.keys).toEqual(["big", "zero", "small"]);
    expect(m.labels).toEqual(["big", "zero", "small <b>"]);
    expect(m.columns).toBe(2);
    expect([...m.start]).toEqual([0, 2, 4]);
    expect([...m.cells]).toEqual([0.75, 0.25, 0, 0.625, 0.25, 0.25]);
    expect([m.lo, m.hi]).toEqual([0, 0.75]);
  });

  it("averages values on the log scale from the smallest positive mean to the largest", () => {
    const m = heatmapModel(groups, 4, 4, "log");
    expect(m.keys).toEqual(["big", "zero", "small"]);
    expect([...m.cells.slice(0, 4)]).toEqual([3, 3, 1, NaN]);
    expect([m.lo, m.hi]).toEqual([1, 3]);
  });

  it("has no range when nothing is positive", () => {
    const m = heatmapModel([{ key: "z", label: "z", values: [0, null] }], 2, 2, "log");
    expect([m.lo, m.hi]).toEqual([NaN, NaN]);
    expect(levelScale(m)(0)).toBe(0);
    expect(levelScale(m)(NaN)).toBe(-1);
  });
});

describe("levelScale", () => {
  it("maps a share linearly and a value logarithmically onto the levels", () => {
    const share = levelScale(heatmapModel(groups, 4, 2, "share"));
    expect(share(0)).toBe(0);
    expect(share(0.75)).toBe(LEVELS - 1);
    expect(share(0.375)).toBe(128); // 127.5 rounds up
    const log = levelScale({ ...heatmapModel(groups, 4, 4, "log"), lo: 1e-4, hi: 1 });
    expect(log(1e-2)).toBe(128);
    expect(log(0)).toBe(0);
    expect(log(-1)).toBe(0);
    expect(log(10)).toBe(LEVELS - 1);
  });
});

describe("heatmapPixels", () => {
  it("writes one RGBA pixel per cell, transparent for a gap", () => {
    const m = heatmapModel(groups, 4, 4, "log");
    const px = heatmapPixels(m, colorTable());
    expect(px).toHaveLength(3 * 4 * 4);
    expect([...px.slice(0, 4)]).toEqual([253, 231, 37, 255]); // big at step 0: the maximum, 3
    expect([...px.slice(8, 12)]).toEqual([68, 1, 84, 255]); // big at step 2: the minimum, 1
    expect([...px.slice(12, 16)]).toEqual([0, 0, 0, 0]); // big at step 3: no point
    const into = new Uint8ClampedArray(px.length);
    expect(heatmapPixels(m, colorTable(), into)).toBe(into);
    expect(into).toEqual(px);
  });
});
