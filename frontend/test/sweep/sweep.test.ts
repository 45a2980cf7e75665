import { describe, expect, it } from "vitest";
import { parseBreakdown, type RunHParams } from "../../src/data/api";
import { sortSweep, sweepCsv, sweepHParamNames, sweepJson, sweepRows } from "../../src/sweep/sweep";

function run(name: string, series: Record<string, (number | null)[]>, steps = [0, 10, 20]) {
  return parseBreakdown({ run: name, steps, wall_times: steps, series });
}

const breakdowns = [
  run("wd_0/train", { total: [2, 1, 0.5], data: [2, 1, 0.5] }),
  run("wd_0/validation", { total: [3, 2, 2.5], data: [3, 2, 2.5] }),
  run("wd_1/train", {
    total: [3, 2, null],
    data: [2, 1.5, 1],
    "penalty/a/kernel": [0.75, 0.375, 0.25],
    "penalty/b/kernel": [0.25, 0.125, null],
    "decoupled/a/kernel": [9, 9, 9],
  }),
  run("wd_1/validation", { data: [2.5, 1.25, 1.25] }),
  run("solo", { total: [1, "NaN" as unknown as number, null], data: [null, null, null] }),
];
const logged: RunHParams[] = [
  { run: "wd_0", hparams: { wd: 0, opt: "sgd" } },
  { run: "wd_1", hparams: { wd: 1, "<b>x</b>": "a,\"b\"" } },
];

describe("sweepRows", () => {
  const rows = sweepRows(breakdowns, logged);

  it("pairs train and validation by prefix, in the order of the runs", () => {
    expect(rows.map((r) => [r.prefix, r.train, r.validation])).toEqual([
      ["wd_0", "wd_0/train", "wd_0/validation"],
      ["wd_1", "wd_1/train", "wd_1/validation"],
      ["solo", "solo", null],
    ]);
  });

  it("takes the last logged values, the best validation data loss and its first step", () => {
    expect(rows[0]).toMatchObject({
      total: 0.5,
      data: 0.5,
      validationData: 2.5,
      bestValidationData: 2,
      bestValidationStep: 10,
      hparams: { wd: 0, opt: "sgd" },
    });
    expect(rows[1]).toMatchObject({ total: 2, data: 1, validationData: 1.25, bestValidationData: 1.25, bestValidationStep: 10 });
  });

  it("computes the penalty share at the last total's step, without decoupled terms", () => {
    expect(rows[0].penaltyShare).toBeNaN();
    expect(rows[1].penaltyShare).toBe(0.25);
  });

  it("leaves what a run does not have empty", () => {
    expect(rows[2]).toMatchObject({
      total: 1,
      data: null,
      validationData: null,
      bestValidationData: null,
      bestValidationStep: null,
      hparams: {},
    });
    expect(rows[2].penaltyShare).toBeNaN();
  });

  it("lists the hyperparameter names of all rows", () => {
    expect(sweepHParamNames(rows)).toEqual(["<b>x</b>", "opt", "wd"]);
  });
});

describe("sortSweep", () => {
  const rows = sweepRows(breakdowns, logged);
  const order = (column: Parameters<typeof sortSweep>[1], descending: boolean) =>
    sortSweep(rows, column, descending).map((r) => r.prefix);

  it("sorts numbers numerically with missing values last either way", () => {
    expect(order("validationData", false)).toEqual(["wd_1", "wd_0", "solo"]);
    expect(order("validationData", true)).toEqual(["wd_0", "wd_1", "solo"]);
    expect(order("penaltyShare", false)).toEqual(["wd_1", "solo", "wd_0"]);
  });

  it("sorts by run name and by hyperparameter", () => {
    expect(order("run", false)).toEqual(["solo", "wd_0", "wd_1"]);
    expect(order("hparam:wd", true)).toEqual(["wd_1", "wd_0", "solo"]);
    expect(order("hparam:opt", false)).toEqual(["wd_0", "solo", "wd_1"]);
  });

  it("sorts runs by the values in their names", () => {
    const named = sweepRows(["cnn_l2_1e-2", "cnn_l2_1e-4", "cnn_l2_1e-3"].map((p) => run(p + "/train", { total: [1] }, [0])), []);
    expect(sortSweep(named, "run", false).map((r) => r.prefix)).toEqual(["cnn_l2_1e-4", "cnn_l2_1e-3", "cnn_l2_1e-2"]);
    expect(sortSweep(named, "run", true).map((r) => r.prefix)).toEqual(["cnn_l2_1e-2", "cnn_l2_1e-3", "cnn_l2_1e-4"]);
  });

  it("does not change its input", () => {
    order("run", true);
    expect(rows.map((r) => r.prefix)).toEqual(["wd_0", "wd_1", "solo"]);
  });
});

describe("sweep export", () => {
  const rows = sweepRows(breakdowns, logged);

  it("writes CSV with figure columns, then hyperparameter columns, quoting where needed", () => {
    expect(sweepCsv(rows)).toBe(
      "run,total,data,penaltyShare,validationData,bestValidationData,bestValidationStep,hparam:<b>x</b>,hparam:opt,hparam:wd\n" +
        "wd_0,0.5,0.5,,2.5,2,10,,sgd,0\n" +
        'wd_1,2,1,0.25,1.25,1.25,10,"a,""b""",,1\n' +
        "solo,1,,,,,,,,\n",
    );
  });

  it("writes float32 values in their shortest form", () => {
    const [row] = sweepRows([run("r/train", { total: [Math.fround(0.1)], data: [Math.fround(0.1)] }, [0])], []);
    expect(sweepCsv([row]).split("\n")[1]).toBe("r,0.1,0.1,,,,");
  });

  it("writes JSON rows with every field, an unknown share as null", () => {
    const parsed = JSON.parse(sweepJson(rows));
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.rows[0]).toEqual({
      prefix: "wd_0",
      train: "wd_0/train",
      validation: "wd_0/validation",
      hparams: { wd: 0, opt: "sgd" },
      total: 0.5,
      data: 0.5,
      penaltyShare: null,
      validationData: 2.5,
      bestValidationData: 2,
      bestValidationStep: 10,
    });
  });
});
