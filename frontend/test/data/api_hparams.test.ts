import { describe, expect, it } from "vitest";
import { parseHParams, parseSweep } from "../../src/data/api";

describe("parseHParams", () => {
  it("keeps numbers, strings and booleans as they are", () => {
    const runs = parseHParams({
      runs: [{ run: "sweep/wd_0", hparams: { weight_decay: 0.001, optimizer: "adamw", augment: false, "<b>": "NaN" } }],
    });
    expect(runs).toEqual([
      { run: "sweep/wd_0", hparams: { weight_decay: 0.001, optimizer: "adamw", augment: false, "<b>": "NaN" } },
    ]);
  });

  it("accepts an empty list", () => {
    expect(parseHParams({ runs: [] })).toEqual([]);
  });

  it("rejects answers outside the contract, saying what it received", () => {
    expect(() => parseHParams({})).toThrow("`runs` must hold a list. Received: {}");
    expect(() => parseHParams({ runs: [{ run: "a" }] })).toThrow("each run needs `run` and an object `hparams`");
    expect(() => parseHParams({ runs: [{ run: "a", hparams: { x: [1] } }] })).toThrow(
      "a hyperparameter value must be a number, a string or a boolean. Received: [1]",
    );
  });
});

describe("parseSweep", () => {
  it("reads each run's figures, null where a series is missing and non-finite values as numbers", () => {
    expect(
      parseSweep({
        runs: [
          { run: "wd_0/train", step: 9, data: 0.5, best_data: 0.25, best_step: 3, total: 0.75, reg: 0.25 },
          { run: "wd_0/validation", step: 9, data: "NaN", best_data: null, best_step: null, total: "Infinity", reg: null },
        ],
      }),
    ).toEqual([
      { run: "wd_0/train", step: 9, data: 0.5, bestData: 0.25, bestStep: 3, total: 0.75, reg: 0.25 },
      { run: "wd_0/validation", step: 9, data: NaN, bestData: null, bestStep: null, total: Infinity, reg: null },
    ]);
    expect(() => parseSweep({ runs: [{ data: 1 }] })).toThrow("each run of the sweep needs `run`");
    expect(() => parseSweep({ runs: [{ run: "a", data: "x" }] })).toThrow("a value must be a number");
  });
});
