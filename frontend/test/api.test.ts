import { describe, expect, it } from "vitest";
import { parseBreakdown, parseBreakdowns, parseRuns, present } from "../src/api";
import { loadFixture } from "./fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");

describe("parseBreakdown", () => {
  const b = parseBreakdown(raw);

  it("keeps steps, wall times and every contract series", () => {
    expect(b.run).toBe("exp1/train");
    expect(b.steps).toEqual([0, 50, 100, 150, 200, 250, 300, 350]);
    expect(b.wallTimes[1]).toBe(1700000012.5);
    expect([...b.series.keys()]).toEqual([
      "total",
      "data",
      "penalty/conv/kernel",
      "penalty/conv/bias",
      "penalty/dense/kernel",
      "penalty/dense/activity",
      "penalty/model/noise/add_loss",
      "decoupled/dense/kernel",
    ]);
    expect(b.descriptions["penalty/conv/kernel"]).toBe("L2(l2=0.001)");
  });

  it("turns the NaN string into NaN, keeps null gaps and reports the first bad step", () => {
    expect(b.series.get("penalty/conv/kernel")![5]).toBeNaN();
    expect(b.series.get("penalty/dense/activity")![3]).toBeNull();
    expect(b.badValues).toEqual([{ series: "penalty/conv/kernel", step: 250, value: NaN }]);
    expect(present(b.series.get("penalty/conv/kernel")![5])).toBe(false);
  });

  it("keeps every series as a column too, NaN for gaps and non-finite values", () => {
    expect([...b.columns.keys()]).toEqual([...b.series.keys()]);
    const column = b.columns.get("penalty/dense/activity")!;
    expect(column).toBeInstanceOf(Float64Array);
    expect(column[3]).toBeNaN();
    expect(b.columns.get("penalty/conv/kernel")![5]).toBeNaN();
    expect(b.columns.get("data")![0]).toBe(b.series.get("data")![0]);
  });

  it("reads Infinity strings and ignores series outside the tag contract", () => {
    const c = parseBreakdown({
      run: "r",
      steps: [1, 2],
      wall_times: [1, 2],
      series: { total: ["Infinity", "-Infinity"], "not/a/tag": [1, 2] },
    });
    expect(c.series.get("total")).toEqual([Infinity, -Infinity]);
    expect(c.series.has("not/a/tag")).toBe(false);
    expect(c.badValues).toEqual([{ series: "total", step: 1, value: Infinity }]);
  });

  it("reads the optional missing and unreadable lists, empty when absent", () => {
    expect(b.missing).toEqual([]);
    expect(b.unreadable).toEqual([]);
    const c = parseBreakdown({
      run: "r",
      steps: [1],
      wall_times: [1],
      series: { "penalty/a/kernel": [0.5], "penalty/v/kernel": [null] },
      missing: ["total", "data"],
      unreadable: ["penalty/v/kernel"],
    });
    expect(c.missing).toEqual(["total", "data"]);
    expect(c.unreadable).toEqual(["penalty/v/kernel"]);
    expect(() => parseBreakdown({ run: "r", steps: [], wall_times: [], series: {}, missing: "total" })).toThrow(
      /`missing` must be a list of names. Received: "total"/,
    );
  });

  it("rejects malformed answers with a message naming what was received", () => {
    expect(() => parseBreakdown({ run: "r" })).toThrow(/steps.*Received/);
    expect(() =>
      parseBreakdown({ run: "r", steps: [1], wall_times: [1], series: { data: ["oops"] } }),
    ).toThrow(/Received: "oops"/);
    expect(() => parseBreakdown({ run: "r", steps: [1], wall_times: [1], series: { data: [1, 2] } })).toThrow(
      /one value per step/,
    );
  });
});

describe("parseRuns / parseBreakdowns", () => {
  it("parses the runs listing", () => {
    expect(
      parseRuns({ runs: [{ run: "exp1/train", terms: ["total", "data"], descriptions: { data: "x" } }] }),
    ).toEqual([{ run: "exp1/train", terms: ["total", "data"], descriptions: { data: "x" }, missing: [] }]);
    expect(parseRuns({ runs: [{ run: "p", terms: ["penalty/a/kernel"], missing: ["total", "data"] }] })[0].missing).toEqual([
      "total",
      "data",
    ]);
    expect(() => parseRuns({})).toThrow(/runs/);
  });

  it("parses the multi-run answer", () => {
    expect(parseBreakdowns({ breakdowns: [raw, { ...raw, run: "exp1/validation" }] }).map((b) => b.run)).toEqual([
      "exp1/train",
      "exp1/validation",
    ]);
  });
});
