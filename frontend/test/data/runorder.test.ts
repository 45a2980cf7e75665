import { describe, expect, it } from "vitest";
import { compareRunNames, nameTokens, sortByRun } from "../../src/data/runorder";
import { loadFixture } from "../fixtures";

const sorted = (names: string[]) => [...names].sort(compareRunNames);

describe("compareRunNames", () => {
  it("orders a sweep by the values in its names, exponents included", () => {
    expect(sorted(["cnn_l2_1e-2", "cnn_l2_1e-4", "cnn_l2_1e-3"])).toEqual(["cnn_l2_1e-4", "cnn_l2_1e-3", "cnn_l2_1e-2"]);
    expect(sorted(["wd_1e-2", "wd_0", "wd_1e-4", "wd_1e-3"])).toEqual(["wd_0", "wd_1e-4", "wd_1e-3", "wd_1e-2"]);
    expect(sorted(["lr_0.01", "lr_0.001", "lr_0.1"])).toEqual(["lr_0.001", "lr_0.01", "lr_0.1"]);
    expect(sorted(["trial_10", "trial_2", "trial_1"])).toEqual(["trial_1", "trial_2", "trial_10"]);
  });

  it("keeps splits of one run together and text order elsewhere", () => {
    expect(sorted(["wd_1e-3/validation", "wd_1e-4/train", "wd_1e-3/train", "wd_1e-4/validation"])).toEqual([
      "wd_1e-4/train",
      "wd_1e-4/validation",
      "wd_1e-3/train",
      "wd_1e-3/validation",
    ]);
    expect(sorted(["b", "a/x", "a", "A"])).toEqual(["A", "a", "a/x", "b"]);
  });

  it("reads several numbers and a dash as a separator, not a sign", () => {
    expect(nameTokens("l2_1e-4_d0.25")).toEqual(["l", 2, "_", 1e-4, "_d", 0.25, ""]);
    expect(nameTokens("run-3")).toEqual(["run-", 3, ""]);
    expect(sorted(["cnn_l2_1e-4_d0.5", "cnn_l2_1e-4_d0.25", "cnn_l2_1e-5_d0.5"])).toEqual([
      "cnn_l2_1e-5_d0.5",
      "cnn_l2_1e-4_d0.25",
      "cnn_l2_1e-4_d0.5",
    ]);
  });

  it("is a total order: equal values written differently still differ", () => {
    expect(compareRunNames("wd_0.001", "wd_1e-3")).not.toBe(0);
    expect(Math.sign(compareRunNames("wd_0.001", "wd_1e-3"))).toBe(-Math.sign(compareRunNames("wd_1e-3", "wd_0.001")));
    expect(compareRunNames("x", "x")).toBe(0);
  });

  it("sorts items by their run name", () => {
    expect(sortByRun([{ run: "t_10" }, { run: "t_9" }], (r) => r.run).map((r) => r.run)).toEqual(["t_9", "t_10"]);
  });
});

describe("the order shared with the plugin's routes (tests/fixtures/run_order.json)", () => {
  const { ordered } = loadFixture<{ ordered: string[] }>("run_order.json");

  it("sorts the fixture's names, from any starting order, into the fixture's order", () => {
    expect(sorted([...ordered].reverse())).toEqual(ordered);
    // Every other name moved to the end: a permutation that reversing does not give.
    const shuffled = [...ordered.filter((_, i) => i % 2 === 1), ...ordered.filter((_, i) => i % 2 === 0)];
    expect(sorted(shuffled)).toEqual(ordered);
  });
});
