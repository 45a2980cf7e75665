import { describe, expect, it } from "vitest";
import { smooth, smoothColumn } from "../../src/data/smooth";

describe("smooth (TensorBoard's debiased EMA)", () => {
  it("is the identity at weight 0", () => {
    const v = [1, 2, null, 4];
    expect(smooth(v, 0)).toBe(v);
  });

  it("debiases the first points", () => {
    const out = smooth([1, 3, 5], 0.5) as number[];
    expect(out[0]).toBeCloseTo(1, 12);
    // last = 0.5*0.5 + 0.5*3 = 1.75, debias 1 - 0.25 = 0.75
    expect(out[1]).toBeCloseTo(1.75 / 0.75, 12);
    // last = 1.75*0.5 + 2.5 = 3.375, debias 0.875
    expect(out[2]).toBeCloseTo(3.375 / 0.875, 12);
  });

  it("passes gaps and non-finite values through without resetting", () => {
    const out = smooth([1, null, NaN, 3], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNaN();
    expect(out[3]).toBeCloseTo((0.5 * 0.5 + 1.5) / 0.75, 12);
  });

  it("leaves constant series alone", () => {
    expect(smooth([2, 2, null, 2], 0.9)).toEqual([2, 2, null, 2]);
  });
});

describe("smoothColumn (the same EMA on columns, NaN gaps)", () => {
  it("gives exactly smooth's numbers, gaps staying NaN", () => {
    const values = Array.from({ length: 300 }, (_, i) => (i % 37 === 5 ? null : Math.sin(i / 7) + 2));
    values[11] = NaN;
    const column = Float64Array.from(values, (v) => (v === null ? NaN : v));
    const expected = smooth(values, 0.6).map((v) => (v === null ? NaN : v));
    expect([...smoothColumn(column, 0.6)]).toEqual(expected);
  });

  it("is the identity at weight 0 and leaves constant columns alone", () => {
    const column = Float64Array.of(2, NaN, 2);
    expect(smoothColumn(column, 0)).toBe(column);
    expect(smoothColumn(column, 0.9)).toBe(column);
  });
});
