import { describe, expect, it } from "vitest";
import { ColorMap } from "../src/colors";

describe("ColorMap", () => {
  it("gives a key the same color whatever order runs register it in", () => {
    const colors = new ColorMap();
    colors.register(["penalty/a", "penalty/b"]);
    const a = colors.color("penalty/a");
    colors.register(["penalty/c", "penalty/a"]);
    expect(colors.color("penalty/a")).toBe(a);
    expect(new Set([a, colors.color("penalty/b"), colors.color("penalty/c")]).size).toBe(3);
  });

  it("has fixed colors for data and other, and never runs out", () => {
    const colors = new ColorMap();
    expect(colors.color("data")).toBe(colors.color("data"));
    expect(colors.color("other")).not.toBe(colors.color("data"));
    colors.register(Array.from({ length: 200 }, (_, i) => `k${i}`));
    expect(colors.color("k150")).toMatch(/^hsl\(/);
  });
});
