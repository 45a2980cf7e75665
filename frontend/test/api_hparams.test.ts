import { describe, expect, it } from "vitest";
import { parseHParams } from "../src/api";

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
