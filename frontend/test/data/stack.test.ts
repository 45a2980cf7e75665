import { describe, expect, it } from "vitest";
import type { Layer } from "../../src/data/group";
import { stackLayers, totalLine } from "../../src/data/stack";

const layer = (key: string, values: (number | null)[]): Layer => ({ key, label: key, members: [key], values });
const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe("stackLayers", () => {
  it("piles layers bottom first with exact [y0, y1]", () => {
    const [a, b] = stackLayers([layer("data", [2, 1]), layer("p", [0.5, 0.25])], all(2), false);
    expect([...a.y0]).toEqual([0, 0]);
    expect([...a.y1]).toEqual([2, 1]);
    expect([...b.y0]).toEqual([2, 1]);
    expect([...b.y1]).toEqual([2.5, 1.25]);
    expect(b.values).toEqual([0.5, 0.25]);
  });

  it("leaves a gap that adds nothing", () => {
    const [, b, c] = stackLayers([layer("a", [1, 1]), layer("b", [null, NaN]), layer("c", [1, 1])], all(2), false);
    expect(b.y0[0]).toBeNaN();
    expect(b.y1[1]).toBeNaN();
    expect([...c.y0]).toEqual([1, 1]);
  });

  it("stacks negative values downwards (diverging)", () => {
    const [a, b, c] = stackLayers([layer("a", [1]), layer("b", [-0.5]), layer("c", [2])], all(1), false);
    expect([a.y0[0], a.y1[0]]).toEqual([0, 1]);
    expect([b.y0[0], b.y1[0]]).toEqual([-0.5, 0]);
    expect([c.y0[0], c.y1[0]]).toEqual([1, 3]);
  });

  it("share mode reaches 100 at every step", () => {
    const [a, b] = stackLayers([layer("a", [3, 1]), layer("b", [1, 1])], all(2), true);
    expect([...a.y1]).toEqual([75, 50]);
    expect([...b.y1]).toEqual([100, 100]);
  });

  it("stacks only the chosen indices", () => {
    const [a] = stackLayers([layer("a", [1, 2, 3])], Uint32Array.of(0, 2), false);
    expect([...a.y1]).toEqual([1, 3]);
  });
});

describe("totalLine", () => {
  it("is the total, or its percent of the parts in share mode", () => {
    const parts = [layer("a", [1, 2]), layer("b", [1, 2])];
    expect([...totalLine([2, null], parts, all(2), false)]).toEqual([2, NaN]);
    expect([...totalLine([2, 4.4], parts, all(2), true)]).toEqual([100, 110.00000000000001]);
  });
});
