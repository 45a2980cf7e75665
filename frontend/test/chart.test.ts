import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../src/api";
import { StackedChart } from "../src/chart";
import { DEFAULTS, type Settings } from "../src/settings";
import { buildRunView } from "../src/view";
import { loadFixture } from "./fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const b = parseBreakdown(raw);
const settings = (patch: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, smoothing: 0, ...patch });
const colorOf = (key: string) => (key === "data" ? "#8a9bb0" : "#4e79a7");
const areas = (chart: StackedChart) => [...chart.el.querySelectorAll<SVGPathElement>("path[data-series]")];

function chartOf(patch: Partial<Settings> = {}, width = 500): StackedChart {
  const chart = new StackedChart(colorOf, 240);
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
    expect(areas(chart).map((p) => p.getAttribute("fill"))).toEqual(["#8a9bb0", ...Array(5).fill("#4e79a7")]);
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
    expect(names[1]).toBe("penalty/dense/kernel");
    const totalRow = tooltip.querySelector(".tooltip-total .tooltip-value")!;
    expect(totalRow.textContent).toBe("0.8125");
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
    const chart = new StackedChart(colorOf, 240);
    chart.update(buildRunView(h, settings(), 500).main!, 500);
    expect(chart.el.querySelector("img, b")).toBeNull();
    expect(areas(chart)[1].getAttribute("data-series")).toBe(key);
    expect(chart.el.querySelector("svg")!.getAttribute("aria-label")).toBe("Loss composition of run <b>run</b>");
  });
});
