import { describe, expect, it } from "vitest";
import { parseBreakdown, parseBreakdowns, parseRuns, present } from "../../src/data/api";
import { parseDynamicsName } from "../../src/data/tags";
import { loadFixture } from "../fixtures";

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
    ).toEqual([
      { run: "exp1/train", terms: ["total", "data"], descriptions: { data: "x" }, missing: [], dynamics: [], unverified: null, decayPlan: false },
    ]);
    expect(
      parseRuns({ runs: [{ run: "u", terms: ["total"], unverified: { regloss: 0.75, keras: 0.5, keras_version: "3.16.0" } }] })[0]
        .unverified,
    ).toEqual({ regloss: 0.75, keras: 0.5, kerasVersion: "3.16.0" });
    expect(parseRuns({ runs: [{ run: "u", terms: ["total"], unverified: { regloss: "0.75" } }] })[0].unverified).toBeNull();
    expect(parseRuns({ runs: [{ run: "d", terms: ["total"], dynamics: ["weight_norm", "decay_ratio"] }] })[0].dynamics).toEqual([
      "weight_norm",
      "decay_ratio",
    ]);
    expect(() => parseRuns({ runs: [{ run: "d", terms: [], dynamics: "decay_ratio" }] })).toThrow(/`dynamics` must be a list of names/);
    expect(parseRuns({ runs: [{ run: "p", terms: ["penalty/a/kernel"], missing: ["total", "data"] }] })[0].missing).toEqual([
      "total",
      "data",
    ]);
    expect(() => parseRuns({})).toThrow(/runs/);
  });

  it("keeps only the series `accept` takes: the dynamics answer has its own names", () => {
    const dynamics = {
      run: "r",
      steps: [0, 1],
      wall_times: [1, 2],
      series: { "decay_ratio/d/kernel": [0.5, 2], total: [1, 1], "nope/d/kernel": [1, 1] },
    };
    const b = parseBreakdown(dynamics, (key) => parseDynamicsName(key) !== null);
    expect([...b.series.keys()]).toEqual(["decay_ratio/d/kernel"]);
    expect([...parseBreakdown(dynamics).series.keys()]).toEqual(["total"]);
  });

  it("parses the multi-run answer", () => {
    expect(parseBreakdowns({ breakdowns: [raw, { ...raw, run: "exp1/validation" }] }).map((b) => b.run)).toEqual([
      "exp1/train",
      "exp1/validation",
    ]);
  });
});

/** Base64 of `values` as little-endian float32, built independently of the parser. */
function float32Base64(values: number[]): string {
  const view = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  let text = "";
  for (const byte of new Uint8Array(view.buffer)) text += String.fromCharCode(byte);
  return btoa(text);
}

describe("parseBreakdown with encoding float32", () => {
  // Values exactly representable in float32, so both forms carry the same numbers.
  const json = {
    run: "exp1/train",
    steps: [0, 10, 20, 30],
    wall_times: [1700000000, 1700000001.5, 1700000003, 1700000004.5],
    series: {
      total: [1.5, 1.25, "Infinity", 0.75],
      data: [1, 0.5, 0.25, "-Infinity"],
      "penalty/dense/kernel": [0.5, null, "NaN", null],
      "not/a/tag": [1, 2, 3, 4],
    },
    descriptions: { "penalty/dense/kernel": "L2(l2=0.01)" },
    missing: [],
    unreadable: ["penalty/dense/kernel"],
  };
  const encoded = {
    ...json,
    series: {
      total: float32Base64([1.5, 1.25, Infinity, 0.75]),
      data: float32Base64([1, 0.5, 0.25, -Infinity]),
      "penalty/dense/kernel": float32Base64([0.5, NaN, NaN, NaN]),
      "not/a/tag": float32Base64([1, 2, 3, 4]),
    },
    gaps: { "penalty/dense/kernel": [1, 3] },
    encoding: "float32",
  };

  it("parses to exactly the model of the equivalent JSON form", () => {
    const a = parseBreakdown(json);
    const b = parseBreakdown(encoded);
    const { raw: _a, ...modelA } = a;
    const { raw: _b, ...modelB } = b;
    expect(modelB).toEqual(modelA);
    expect(b.series.get("penalty/dense/kernel")).toEqual([0.5, null, NaN, null]);
    expect(b.series.get("total")).toEqual([1.5, 1.25, Infinity, 0.75]);
    expect([...b.columns.get("penalty/dense/kernel")!]).toEqual([0.5, NaN, NaN, NaN]);
    expect([...b.columns.get("total")!]).toEqual([...a.columns.get("total")!]);
    expect(b.columns.get("total")).toBeInstanceOf(Float64Array);
    expect(b.badValues).toEqual([
      { series: "total", step: 20, value: Infinity },
      { series: "data", step: 30, value: -Infinity },
      { series: "penalty/dense/kernel", step: 20, value: NaN },
    ]);
    expect(b.badValues).toEqual(a.badValues);
    expect(b.raw).toBe(encoded);
  });

  it("reads float32 values as float32 (what the JSON form's 9 digits also round to)", () => {
    const b = parseBreakdown({ run: "r", steps: [0], wall_times: [0], series: { total: float32Base64([0.1]) }, encoding: "float32" });
    expect(b.series.get("total")![0]).toBe(Math.fround(0.1));
    expect(Math.fround(0.100000001)).toBe(Math.fround(0.1));
  });

  it("reads the backend's own example (breakdown.to_json docstring)", () => {
    const b = parseBreakdown({
      run: "r",
      steps: [0, 1],
      wall_times: [0, 1],
      series: { total: "AAAAPwAAwH8=" },
      gaps: { total: [1] },
      encoding: "float32",
    });
    expect(b.series.get("total")).toEqual([0.5, null]);
    expect(b.badValues).toEqual([]);
  });

  it("needs no gaps field when no series has gaps", () => {
    const b = parseBreakdown({ run: "r", steps: [0, 1], wall_times: [0, 1], series: { data: float32Base64([2, NaN]) }, encoding: "float32" });
    expect(b.series.get("data")).toEqual([2, NaN]);
    expect(b.badValues).toEqual([{ series: "data", step: 1, value: NaN }]);
  });

  it("decodes 200 series of 1000 points", () => {
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const column = float32Base64(steps.map((i) => i / 7));
    const series: Record<string, string> = {};
    for (let t = 0; t < 200; t++) series[`penalty/layer${t}/kernel`] = column;
    const answer = { run: "r", steps, wall_times: steps, series, encoding: "float32" };
    const b = parseBreakdown(answer);
    expect(b.series.size).toBe(200);
    expect(b.columns.get("penalty/layer199/kernel")![700]).toBe(Math.fround(100));
  });

  it("rejects malformed float32 answers with a message naming the series and what was received", () => {
    const base = { run: "r", steps: [0, 1], wall_times: [0, 1], encoding: "float32" };
    const parse = (extra: Record<string, unknown>) => () => parseBreakdown({ ...base, ...extra });
    expect(parse({ series: { total: [1, 2] } })).toThrow(/series total must be the base64 of 2 .*Received: \[1,2\]/);
    expect(parse({ series: { total: null } })).toThrow(/series total .*Received: null/);
    expect(parse({ series: { total: float32Base64([1]) } })).toThrow(
      /series total must be the base64 .* \(8 bytes\), not 4 bytes. Received: "AACAPw=="/,
    );
    expect(parse({ series: { total: float32Base64([1, 2, 3]) } })).toThrow(/series total .*not 12 bytes/);
    expect(parse({ series: { total: "%%%%" } })).toThrow(/series total .*not valid base64. Received: "%%%%"/);
    const nan2 = float32Base64([NaN, NaN]);
    expect(parse({ series: { total: nan2 }, gaps: { total: [1, 0] } })).toThrow(
      /gaps of series total must be ascending.*bad index 0. Received: \[1,0\]/,
    );
    expect(parse({ series: { total: nan2 }, gaps: { total: [2] } })).toThrow(/gaps of series total .*bad index 2/);
    expect(parse({ series: { total: nan2 }, gaps: { total: ["1"] } })).toThrow(/gaps of series total .*bad index "1"/);
    expect(parse({ series: { total: float32Base64([1, 2]) }, gaps: { total: [0] } })).toThrow(
      /gaps of series total .*each of a NaN value; bad index 0/,
    );
    expect(parse({ series: { total: nan2 }, gaps: { total: 1 } })).toThrow(/gaps of series total must be a list.*Received: 1/);
    expect(parse({ series: { total: nan2 }, gaps: { data: [0] } })).toThrow(/gaps name series data/);
    expect(parse({ series: { total: nan2 }, gaps: [0] })).toThrow(/`gaps` must be an object/);
    expect(() => parseBreakdown({ ...base, series: { total: nan2 }, encoding: "float16" })).toThrow(
      /`encoding` must be "float32" or absent. Received: "float16"/,
    );
  });
});
