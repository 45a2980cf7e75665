import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { worstResidual } from "../../src/data/residual";
import { loadFixture } from "../fixtures";

describe("worstResidual", () => {
  it("finds nothing when the fixture's parts add up (gaps are skipped)", () => {
    const b = parseBreakdown(loadFixture("breakdown.json"));
    const parts = [...b.series.entries()].filter(([k]) => k === "data" || k.startsWith("penalty/")).map(([, v]) => v);
    expect(worstResidual(b.series.get("total")!, parts)).toBeNull();
  });

  it("reports the worst step beyond 0.1 %", () => {
    const r = worstResidual([10, 10, 10], [[9.995, 9, 9.5], [0, 0.5, 0]]);
    expect(r).toEqual({ index: 1, residual: 0.5, relative: 0.05 });
  });

  it("tolerates 0.1 %", () => {
    expect(worstResidual([10], [[9.991]])).toBeNull();
  });
});
