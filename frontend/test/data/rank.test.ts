import { describe, expect, it } from "vitest";
import { orderByMeanShare, rankAt, stepTotals } from "../../src/data/rank";

const groups = [
  { key: "b", label: "B", values: [1, 2, null, 4] },
  { key: "a", label: "A", values: new Float64Array([3, 2, 1, NaN]) },
  { key: "c", label: "C", values: [0, 4, 3, Infinity] },
];

describe("stepTotals", () => {
  it("adds the finite values of every group at each step", () => {
    expect([...stepTotals(groups, 4)]).toEqual([4, 8, 4, 4]);
  });
});

describe("rankAt", () => {
  it("ranks by value with shares of the step's total, ties by key", () => {
    const totals = stepTotals(groups, 4);
    expect(rankAt(groups, totals, 0)).toEqual([
      { key: "a", label: "A", value: 3, share: 0.75 },
      { key: "b", label: "B", value: 1, share: 0.25 },
      { key: "c", label: "C", value: 0, share: 0 },
    ]);
    expect(rankAt(groups, totals, 1).map((r) => r.key)).toEqual(["c", "a", "b"]);
  });

  it("puts groups without a value at the step last", () => {
    const totals = stepTotals(groups, 4);
    const ranked = rankAt(groups, totals, 3);
    expect(ranked.map((r) => [r.key, r.value, r.share])).toEqual([
      ["b", 4, 1],
      ["a", NaN, NaN],
      ["c", NaN, NaN],
    ]);
  });

  it("gives no share where the step's total is not positive", () => {
    const zero = [{ key: "z", label: "z", values: [0] }];
    expect(rankAt(zero, stepTotals(zero, 1), 0)[0].share).toBeNaN();
  });
});

describe("orderByMeanShare", () => {
  it("orders groups by their mean share over the steps", () => {
    // Shares: a 3/4, 2/8, 1/4 → 5/12; b 1/4, 2/8, 4/4 → 1/2; c 0, 4/8, 3/4 → 5/12 (tie with a: by key).
    expect(orderByMeanShare(groups, stepTotals(groups, 4))).toEqual([0, 1, 2]);
    const none = [...groups, { key: "0", label: "none", values: [null, null, null, null] }];
    expect(orderByMeanShare(none, stepTotals(none, 4))).toEqual([0, 1, 2, 3]);
  });
});
