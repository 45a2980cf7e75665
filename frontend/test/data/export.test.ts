import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { toCsv, toJson } from "../../src/data/export";
import { loadFixture } from "../fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const b = parseBreakdown(raw);

describe("export", () => {
  it("writes one CSV row per step, NaN as NaN and gaps as empty cells", () => {
    const lines = toCsv(b).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "step,wall_time,total,data,penalty/conv/kernel,penalty/conv/bias,penalty/dense/kernel," +
        "penalty/dense/activity,penalty/model/noise/add_loss,decoupled/dense/kernel",
    );
    expect(lines).toHaveLength(9);
    expect(lines[4]).toBe("150,1700000037.5,1.1797,0.82,0.094,0.0037,0.2,,0.01,0.01");
    expect(lines[6].split(",")[4]).toBe("NaN");
  });

  it("writes the JSON as received", () => {
    expect(JSON.parse(toJson(b))).toEqual(raw);
  });
});

describe("export of a float32-encoded breakdown", () => {
  it("writes the JSON form, as the backend would without encoding", () => {
    const bytes = new DataView(new ArrayBuffer(12));
    [0.5, NaN, Infinity].forEach((v, i) => bytes.setFloat32(4 * i, v, true));
    const series = btoa(String.fromCharCode(...new Uint8Array(bytes.buffer)));
    const encoded = parseBreakdown({
      run: "r",
      steps: [0, 1, 2],
      wall_times: [0, 1, 2],
      series: { total: series },
      gaps: { total: [1] },
      encoding: "float32",
    });
    expect(JSON.parse(toJson(encoded))).toEqual({
      run: "r",
      steps: [0, 1, 2],
      wall_times: [0, 1, 2],
      series: { total: [0.5, null, "Infinity"] },
    });
    expect(toCsv(encoded)).toBe("step,wall_time,total\n0,0,0.5\n1,1,\n2,2,Infinity\n");
  });

  it("writes each value as the shortest text of its float32, steps and wall times as they are", () => {
    const values = [0.094, 1e-7, 123456.789, -0.30000001192092896, -0, NaN, -Infinity];
    const bytes = new DataView(new ArrayBuffer(4 * values.length));
    values.forEach((v, i) => bytes.setFloat32(4 * i, v, true));
    const steps = values.map((_, i) => 1_000_000_007 + i);
    const encoded = parseBreakdown({
      run: "r",
      steps,
      wall_times: steps.map((s) => 1700000000.123456 + s),
      series: { total: btoa(String.fromCharCode(...new Uint8Array(bytes.buffer))) },
      gaps: {},
      encoding: "float32",
    });
    expect(encoded.series.get("total")![0]).toBe(0.09399999678134918);
    const rows = toCsv(encoded).trimEnd().split("\n").slice(1);
    expect(rows.map((r) => r.split(",")[2])).toEqual(["0.094", "1e-7", "123456.79", "-0.3", "0", "NaN", "-Infinity"]);
    expect(rows[0].split(",").slice(0, 2)).toEqual(["1000000007", String(1700000000.123456 + 1_000_000_007)]);
  });
});
