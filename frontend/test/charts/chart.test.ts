// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { stepChannel } from "../../src/charts/channel";
import { StackedChart } from "../../src/charts/chart";
import { bandColors } from "../../src/charts/colors";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { buildRunView } from "../../src/cards/view";
import { loadFixture } from "../fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const b = parseBreakdown(raw);
const settings = (patch: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, smoothing: 0, order: "name", ...patch });
const areas = (chart: StackedChart) => [...chart.el.querySelectorAll<SVGPathElement>("path[data-series]")];

function chartOf(patch: Partial<Settings> = {}, width = 500): StackedChart {
  const chart = new StackedChart(240);
  chart.update(buildRunView(b, settings(patch), width).main!, width);
  return chart;
}

describe("StackedChart", () => {
  it("draws one path[data-series] per layer, bottom first, in its color, named by its run", () => {
    const chart = chartOf();
    expect(areas(chart).map((p) => p.getAttribute("data-series"))).toEqual([
      "data",
      "penalty/conv/bias",
      "penalty/conv/kernel",
      "penalty/dense/activity",
      "penalty/dense/kernel",
      "penalty/model/noise/add_loss",
    ]);
    expect(areas(chart).map((p) => p.getAttribute("fill"))).toEqual(
      bandColors(areas(chart).map((p) => p.getAttribute("data-series")!)),
    );
    for (const p of areas(chart)) expect(p.getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+Z/);
    const svg = chart.el.querySelector("svg")!;
    expect(svg.getAttribute("aria-label")).toBe("Loss composition of run exp1/train");
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("width")).toBe("500");
  });

  it("breaks an area where its series has a gap", () => {
    const chart = chartOf();
    const kernel = areas(chart).find((p) => p.dataset.series === "penalty/conv/kernel")!;
    expect(kernel.getAttribute("d")!.match(/M/g)).toHaveLength(2);
  });

  it("draws the recorded total as a line on top, and hides it in penalties mode", () => {
    const chart = chartOf();
    const total = chart.el.querySelector("path.total-line")!;
    expect(total.getAttribute("d")).toMatch(/^M/);
    expect(total.getAttribute("visibility")).toBeNull();
    chart.update(buildRunView(b, settings({ mode: "penalties" }), 500).main!, 500);
    expect(total.getAttribute("visibility")).toBe("hidden");
    expect(areas(chart)).toHaveLength(5);
  });

  it("keeps the elements of the series that stay and removes the others", () => {
    const chart = chartOf();
    const before = areas(chart);
    chart.update(buildRunView(b, settings({ hidden: ["penalty/conv/bias"] }), 500).main!, 500);
    const after = areas(chart);
    expect(after.map((p) => p.dataset.series)).not.toContain("penalty/conv/bias");
    expect(after).toHaveLength(5);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[2]);
  });

  it("moves the rule to the nearest step and fills the tooltip on hover", () => {
    const chart = chartOf();
    const rule = chart.el.querySelector("line.hover-rule")!;
    expect(rule.getAttribute("visibility")).toBe("hidden");
    // Plot width 500 - 52 - 14 = 434 px for steps 0..350: step 300 is at 372 px.
    chart.hoverAt(370);
    expect(rule.getAttribute("visibility")).toBe("visible");
    expect(Number(rule.getAttribute("x1"))).toBeCloseTo(372, 9);
    const tooltip = chart.el.querySelector<HTMLElement>(".tooltip")!;
    expect(tooltip.hidden).toBe(false);
    expect(tooltip.querySelector(".tooltip-header")!.textContent).toBe("step 300");
    const names = [...tooltip.querySelectorAll(".tooltip-row:not(.tooltip-total) .tooltip-name")].map((e) => e.textContent);
    expect(names[0]).toBe("data loss");
    expect(names[1]).toBe("dense/kernel");
    const totalRow = tooltip.querySelector(".tooltip-total .tooltip-value")!;
    expect(totalRow.textContent).toBe("0.8125");
  });

  it("tells which step is hovered, once per step, and when the pointer leaves", () => {
    const heard: (number | null)[] = [];
    const step = stepChannel();
    step.listen((i) => heard.push(i));
    const chart = new StackedChart(240, step);
    chart.update(buildRunView(b, settings(), 500).main!, 500);
    chart.hoverAt(370);
    chart.hoverAt(371);
    chart.hoverAt(0);
    chart.el.querySelector(".overlay")!.dispatchEvent(new MouseEvent("mouseleave"));
    expect(heard).toEqual([6, 0, null]);
  });

  it("labels a linear y axis without SI prefixes", () => {
    const labels = [...chartOf().el.querySelectorAll(".y-axis .tick text")].map((t) => t.textContent);
    expect(labels).toEqual(["0", "0.5", "1", "1.5", "2", "2.5"]);
  });

  it("writes the date of wall-time ticks once", () => {
    const chart = chartOf({ xAxis: "wall" });
    const labels = [...chart.el.querySelectorAll(".x-axis .tick text")].map((t) => t.textContent!);
    expect(labels.length).toBeGreaterThan(1);
    expect(labels[0]).toMatch(/^[A-Z][a-z]{2} \d\d \d\d:\d\d$/);
    for (const label of labels.slice(1)) expect(label).toMatch(/^\d\d:\d\d(:\d\d)?$/);
  });

  it("measures each hover as regloss:hover", () => {
    const chart = chartOf();
    performance.clearMeasures();
    chart.hoverAt(10);
    expect(performance.getEntriesByName("regloss:hover", "measure")).toHaveLength(1);
  });

  it("keeps a hostile key as an attribute value, never as markup", () => {
    const key = "penalty/<img src=x onerror=window.__xss=1>/kernel";
    const h = parseBreakdown({ run: "<b>run</b>", steps: [0, 1], wall_times: [0, 1], series: { data: [1, 1], [key]: [0.5, 0.5] } });
    const chart = new StackedChart(240);
    chart.update(buildRunView(h, settings(), 500).main!, 500);
    expect(chart.el.querySelector("img, b")).toBeNull();
    expect(areas(chart)[1].getAttribute("data-series")).toBe(key);
    expect(chart.el.querySelector("svg")!.getAttribute("aria-label")).toBe("Loss composition of run <b>run</b>");
  });
});

describe("StackedChart on a log y axis", () => {
  /** Zeros, negative values, gaps (null, NaN, Infinity) and a loss falling from 800 to 0.02. */
  const wild = parseBreakdown({
    run: "deep",
    steps: [0, 1, 2, 3, 4, 5, 6],
    wall_times: [0, 1, 2, 3, 4, 5, 6],
    series: {
      total: [800.5, 0, 30, "NaN", 0.5, -1, 0.03],
      data: [800, 0, 30, null, 0.5, -1, 0.02],
      "penalty/a/kernel": [0.5, 0, "NaN", 0.1, 0, 0.002, 0.01],
      "penalty/b/add_loss": [0, -0.3, 0.2, "Infinity", 0.001, null, 0],
    },
  });
  const number = "-?\\d+(?:\\.\\d)?";
  const pathData = new RegExp(`^(?:M${number},${number}(?:L${number},${number})*Z?)*$`);

  function logChart(patch: Partial<Settings> = {}): StackedChart {
    const chart = new StackedChart(240);
    chart.update(buildRunView(wild, settings({ yScale: "log", ...patch }), 500).main!, 500);
    return chart;
  }

  it("draws only finite coordinates with zeros, negative values and gaps in the data", () => {
    for (const patch of [{}, { mode: "penalties" as const }, { smoothing: 0.6 }]) {
      const chart = logChart(patch);
      const drawn = chart.el.querySelectorAll("path[data-series], path.total-line[d]");
      const paths = [...drawn].map((p) => p.getAttribute("d")!);
      expect(paths.length).toBeGreaterThanOrEqual(2);
      for (const d of paths) expect(d).toMatch(pathData);
      for (const d of paths) for (const v of d.match(/-?[\d.]+/g) ?? []) expect(Number.isFinite(Number(v))).toBe(true);
    }
  });

  it("clamps the bottom of the first area and values at or below 0 to the bottom of the plot", () => {
    const chart = logChart();
    // Plot height 240 - 10 - 26 = 204 px.
    const data = areas(chart).find((p) => p.dataset.series === "data")!.getAttribute("d")!;
    // The piece over steps 0-2: top left to right, then the bottom (0) right to left.
    const ys = data.split("Z")[0].split(/[ML]/).slice(1).map((point) => Number(point.split(",")[1]));
    expect(ys).toHaveLength(6);
    expect(ys.slice(3)).toEqual([204, 204, 204]);
    // Step 1, where the data loss is 0, is on the bottom too; step 0 (800) near the top.
    expect(ys[1]).toBe(204);
    expect(ys[0]).toBeLessThan(5);
  });

  it("keeps gaps as breaks in the areas and the total line", () => {
    const chart = logChart();
    const data = areas(chart).find((p) => p.dataset.series === "data")!.getAttribute("d")!;
    expect(data.match(/M/g)).toHaveLength(2);
    const total = chart.el.querySelector("path.total-line")!.getAttribute("d")!;
    expect(total.match(/M/g)).toHaveLength(2);
  });

  it("labels the y axis in decades", () => {
    const chart = logChart();
    const ticks = [...chart.el.querySelectorAll(".y-axis .tick text")].map((t) => t.textContent);
    const labels = ticks.filter((t) => t !== "");
    // From a little below 0.002 (penalty/a/kernel at step 5, above a negative data loss) to 800.5: one per decade.
    expect(labels).toEqual(["0.001", "0.01", "0.1", "1", "10", "100"]);
  });

  it("stays linear in share mode", () => {
    const chart = logChart({ mode: "share" });
    const labels = [...chart.el.querySelectorAll(".y-axis .tick text")].map((t) => t.textContent);
    expect(labels).toEqual(["-100%", "-50%", "0%", "50%", "100%"]);
  });

  it("draws the fixture the same as linear where it only changes y", () => {
    const linear = chartOf();
    const log = chartOf({ yScale: "log" });
    const xs = (chart: StackedChart) => areas(chart).map((p) => p.getAttribute("d")!.match(/[ML][\d.]+/g));
    expect(xs(log)).toEqual(xs(linear));
    expect(areas(log).map((p) => p.getAttribute("d"))).not.toEqual(areas(linear).map((p) => p.getAttribute("d")));
  });
});
