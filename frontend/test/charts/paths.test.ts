import { describe, expect, it } from "vitest";
import { linePath, stackPaths } from "../../src/charts/paths";

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

describe("stackPaths coordinates and gaps", () => {
  const y = (v: number) => 100 - v * 10;

  it("rounds to 0.1 px, negative values too", () => {
    const paths = stackPaths([layer("a", [0, 0], [0.123, 10.66])], Float64Array.of(0.04, 33.36), (v) => v - 5);
    expect(paths.get("a")).toBe("M0,-4.9L33.4,5.7L33.4,-5L0,-5Z");
  });

  it("draws each defined run of a gapped area as its own closed piece", () => {
    const paths = stackPaths([layer("a", [0, 0, NaN, 0], [1, 2, NaN, 3])], Float64Array.of(0, 1, 2, 3), y);
    expect(paths.get("a")).toBe("M0,90L1,80L1,100L0,100ZM3,70L3,100Z");
  });

  it("reuses the edge below as the bottom only where the stack really shares it", () => {
    const paths = stackPaths([layer("a", [0, 0], [1, 1]), layer("b", [0.5, 0.5], [2, 2])], Float64Array.of(0, 10), y);
    expect(paths.get("b")).toBe("M0,80L10,80L10,95L0,95Z");
  });
});

describe("linePath", () => {
  it("draws a line and breaks it at NaN", () => {
    expect(linePath(Float64Array.of(0, 1, 2, 3), Float64Array.of(1, NaN, 2, 3), (v) => v * 10)).toBe("M0,10M2,20L3,30");
  });
});
