import { describe, expect, it } from "vitest";
import { legendGrid, yTickText } from "../src/compare_chart";

describe("yTickText", () => {
  it("writes losses without SI suffixes", () => {
    expect([0.5, 12, 1e-3, 0.024, 208].map(yTickText)).toEqual(["0.5", "12", "0.001", "0.024", "208"]);
    expect(yTickText(1e-4)).toBe("1e-4");
  });
});

describe("legendGrid", () => {
  it("fits as many 260 px columns as the width allows", () => {
    expect(legendGrid(8, 1100)).toEqual({ columns: 4, rows: 2 });
    expect(legendGrid(3, 300)).toEqual({ columns: 1, rows: 3 });
    expect(legendGrid(0, 900)).toEqual({ columns: 3, rows: 0 });
  });
});
