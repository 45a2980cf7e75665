import { describe, expect, it } from "vitest";
import { legendGrid } from "../../src/compare/compare_chart";

describe("legendGrid", () => {
  it("fits as many 260 px columns as the width allows", () => {
    expect(legendGrid(8, 1100)).toEqual({ columns: 4, rows: 2 });
    expect(legendGrid(3, 300)).toEqual({ columns: 1, rows: 3 });
    expect(legendGrid(0, 900)).toEqual({ columns: 3, rows: 0 });
  });
});
