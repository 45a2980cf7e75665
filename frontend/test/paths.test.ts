import { describe, expect, it } from "vitest";
import { stackPaths } from "../src/paths";

const layer = (key: string, y0: number[], y1: number[]) => ({
  key,
  label: key,
  values: [],
  y0: Float64Array.from(y0),
  y1: Float64Array.from(y1),
});

describe("stackPaths", () => {
  const y = (v: number) => 100 - v * 10;

  it("draws each area forward along its top and back along its bottom", () => {
    const paths = stackPaths([layer("a", [0, 0], [1, 2]), layer("b", [1, 2], [1.5, 2.25])], Float64Array.of(0, 50), y);
    expect(paths.get("a")).toBe("M0,90L50,80L50,100L0,100Z");
    expect(paths.get("b")).toBe("M0,85L50,77.5L50,80L0,90Z");
  });

  it("breaks an area with a gap (d3-shape area with defined)", () => {
    const paths = stackPaths([layer("a", [0, NaN, 0], [1, NaN, 1])], Float64Array.of(0, 1, 2), y);
    expect(paths.get("a")!.match(/M/g)).toHaveLength(2);
  });
});
