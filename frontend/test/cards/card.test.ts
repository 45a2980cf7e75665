// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { RunCard, unverifiedLine } from "../../src/cards/card";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { buildRunView } from "../../src/cards/view";
import { loadFixture } from "../fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const settings: Settings = { ...DEFAULTS, smoothing: 0, order: "name" };

function cardOf(b = parseBreakdown(raw), s = settings) {
  const onSort = vi.fn();
  const onToggle = vi.fn();
  const onFocus = vi.fn();
  const card = new RunCard(onToggle, onSort, onFocus);
  card.update(b, buildRunView(b, s, 500), s, 500);
  return { card, onSort, onToggle, onFocus };
}

// jsdom has no canvas (the heatmap is tested with a recorded one in manyterms.test.ts).
beforeEach(() => void vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null));
afterEach(() => vi.restoreAllMocks());

describe("RunCard", () => {
  it("names its run and shows both charts, the warning and the latest values", () => {
    const { card } = cardOf();
    expect(card.el.dataset.run).toBe("exp1/train");
    expect(card.el.querySelector("h2")!.textContent).toBe("exp1/train");
    const charts = [...card.el.querySelectorAll("svg[aria-label]")].map((s) => s.getAttribute("aria-label"));
    expect(charts).toEqual([
      "Loss composition of run exp1/train",
      "Decoupled weight decay of run exp1/train (not part of the loss)",
    ]);
    expect(card.el.querySelectorAll("path[data-series]")).toHaveLength(7);
    expect([...card.el.querySelectorAll(".warning")].map((w) => w.textContent)).toEqual([
      "penalty/conv/kernel is NaN at step 250 (first bad value); drawn as a gap.",
    ]);
    const latest = card.el.querySelector("table.latest-table")!;
    expect(latest.querySelectorAll("tbody tr")).toHaveLength(7);
    expect(card.el.querySelector<HTMLElement>(".show-all")!.hidden).toBe(true);
  });

  it("lists the groups in the latest values when the chart groups the terms", () => {
    const { card } = cardOf(parseBreakdown(raw), { ...settings, grouping: "block", depth: 1 });
    const rows = [...card.el.querySelectorAll("table.latest-table tbody tr")].map((r) => (r as HTMLElement).dataset.key);
    // The decoupled terms are listed as they are: the grouping is the chart's, of the penalties.
    expect(rows.sort()).toEqual(["block:conv", "block:dense", "block:model", "data", "decoupled/dense/kernel"]);
  });

  it("follows the chart's hover in the many-terms view and highlights a clicked band", async () => {
    const { highlight } = await import("../../src/charts/highlight");
    // Enough terms for the many-terms view: the fixture's five and 25 more.
    const many = structuredClone(raw) as { series: Record<string, unknown>; steps: number[] };
    for (let i = 0; i < 25; i++) many.series[`penalty/extra/d${i}/kernel`] = many.steps.map(() => 0.001);
    const { card } = cardOf(parseBreakdown(many));
    const chart = card.el.querySelector<HTMLElement>(".chart")!;
    const panel = (card as unknown as { main: { chart: { hoverAt(px: number): void } } }).main;
    panel.chart.hoverAt(10_000); // right of the plot: the last step
    expect(card.el.querySelector(".bars-heading")!.textContent).toBe("Penalties at step 350, largest first");
    panel.chart.hoverAt(0);
    expect(card.el.querySelector(".bars-heading")!.textContent).toBe("Penalties at step 0, largest first");
    // jsdom does no hit testing: the band under the pointer is what elementsFromPoint says.
    const band = card.el.querySelector<SVGPathElement>("path[data-series='penalty/dense/kernel']")!;
    document.elementsFromPoint = () => [card.el.querySelector("rect.overlay")!, band];
    document.body.replaceChildren(card.el);
    chart.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: 5, clientY: 5 }));
    expect(highlight.value).toBe("penalty/dense/kernel");
    highlight.set(null);
  });

  it("puts the section it is given under the many-terms view, updates it with the card and lends it its colours", () => {
    const section = { el: document.createElement("details"), update: vi.fn() };
    const card = new RunCard(vi.fn(), vi.fn(), vi.fn(), section);
    const b = parseBreakdown(raw);
    card.update(b, buildRunView(b, settings, 500), settings, 500);
    expect(section.el.previousElementSibling!.classList.contains("many-terms")).toBe(true);
    expect(section.el.nextElementSibling!.classList.contains("latest")).toBe(true);
    expect(section.update).toHaveBeenCalledWith(b, settings, 500);
    const band = card.el.querySelector("path[data-series='penalty/dense/kernel']")!;
    expect(card.colorOf("penalty/dense/kernel")).toBe(band.getAttribute("fill"));
  });

  it("hides the decoupled chart of a run without decoupled decay", () => {
    const plain = structuredClone(raw) as { series: Record<string, unknown> };
    delete plain.series["decoupled/dense/kernel"];
    const { card } = cardOf(parseBreakdown(plain));
    expect(card.el.querySelector<HTMLElement>(".decoupled")!.hidden).toBe(true);
    expect(card.el.querySelectorAll("path[data-series]")).toHaveLength(6);
  });

  it("keeps no area of a chart whose series are all hidden, and draws one shown again", () => {
    const b = parseBreakdown(raw);
    const { card } = cardOf(b);
    const view = buildRunView(b, settings, 500);
    const keys = [...view.mainLegend, ...view.decoupledLegend].map((e) => e.key);
    const redraw = (hidden: string[]) => {
      const s = { ...settings, hidden };
      card.update(b, buildRunView(b, s, 500), s, 500);
    };
    const areas = () => [...card.el.querySelectorAll("path[data-series]")].map((p) => p.getAttribute("data-series"));
    redraw(keys);
    expect(card.el.querySelector(".notice")!.textContent).toMatch(/^Every series of this chart is hidden/);
    expect(areas()).toEqual([]);
    redraw(keys.filter((k) => k !== "data"));
    expect(areas()).toEqual(["data"]);
    expect(card.el.querySelector<SVGPathElement>("path[data-series='data']")!.getAttribute("d")).toMatch(/^M/);
  });

  it("gives each chart its own legend, ranked at the last step, in the colors of its bands", () => {
    const { card, onToggle } = cardOf();
    const [main, decoupled] = [...card.el.querySelectorAll(".legend")];
    const entries = (legend: Element) =>
      [...legend.querySelectorAll<HTMLElement>(".legend-entry")].map((e) => [
        e.querySelector(".legend-label")!.textContent,
        e.querySelector(".legend-kind")!.textContent,
      ]);
    // At the last step: data 0.45, dense/kernel 0.166, conv/kernel 0.076, activity 0.059, add_loss 0.01, bias 0.0034.
    expect(entries(main)).toEqual([
      ["data loss", ""],
      ["dense/kernel", "kernel"],
      ["conv/kernel", "kernel"],
      ["dense/activity", "activity"],
      ["model/noise/add_loss", "add_loss"],
      ["conv/bias", "bias"],
    ]);
    expect(entries(decoupled)).toEqual([["dense/kernel", "decoupled"]]);
    for (const entry of main.querySelectorAll<HTMLElement>(".legend-entry")) {
      const area = card.el.querySelector(`path[data-series="${entry.dataset.key}"]`)!;
      expect((entry.querySelector(".swatch") as HTMLElement).dataset.color).toBe(area.getAttribute("fill"));
    }
    main.querySelector<HTMLButtonElement>(".legend-entry")!.click();
    expect(onToggle).toHaveBeenCalledExactlyOnceWith("data");
  });

  it("ranks the legend at the hovered step", () => {
    const { card } = cardOf();
    const chart = card.el.querySelector(".chart")!;
    const overlay = chart.querySelector(".overlay")!;
    const first = () => card.el.querySelector(".legend .legend-entry")!.getAttribute("data-key");
    expect(first()).toBe("data");
    // At step 0 the data loss (2.3) still leads; the values are those of step 0.
    const values = () => [...card.el.querySelectorAll(".legend")[0].querySelectorAll(".legend-value")].map((v) => v.textContent);
    const before = values();
    (card as unknown as { main: { chart: { hoverAt(px: number): void } } }).main.chart.hoverAt(0);
    expect(values()).not.toEqual(before);
    expect(values()[0]).toBe("2.3");
    overlay.dispatchEvent(new MouseEvent("mouseleave"));
    expect(values()).toEqual(before);
  });

  it("shows recorded values in the legend and the latest values with smoothing on: smoothing only draws", () => {
    // A validation run of four epochs, its data loss falling from 208 to 0.069 (the D2L run without decay).
    const validation = parseBreakdown({
      run: "d2l/validation",
      steps: [0, 1, 2, 3],
      wall_times: [0, 1, 2, 3],
      series: { data: [208, 20.5, 1.75, 0.069], "penalty/dense/kernel": [4, 2, 1, 0.5], total: [212, 22.5, 2.75, 0.569] },
    });
    const smoothed = { ...settings, smoothing: 0.6 };
    const { card } = cardOf(validation, smoothed);
    const legend = () =>
      Object.fromEntries(
        [...card.el.querySelectorAll(".legend")[0].querySelectorAll(".legend-entry")].map((e) => [
          e.getAttribute("data-key"),
          e.querySelector(".legend-value")!.textContent,
        ]),
      );
    expect(legend()).toEqual({ data: "0.069", "penalty/dense/kernel": "0.5" });
    const latest = Object.fromEntries(
      [...card.el.querySelectorAll<HTMLElement>("table.latest-table tbody tr")].map((r) => [r.dataset.key, r.querySelector("td")!.textContent]),
    );
    expect(latest.data).toBe("0.069");
    // The chart draws the smoothed series (far above the last value), the legend names what was logged.
    const drawn = buildRunView(validation, smoothed, 500).main!.layers.find((l) => l.key === "data")!;
    expect(drawn.y1[3]).toBeGreaterThan(1);
    // At a hovered step too: step 1's recorded 20.5, not its smoothed value.
    const chart = (card as unknown as { main: { chart: { hoverAt(px: number): void; scales: { x(v: number): number }; model: { x: number[] } } } }).main.chart;
    chart.hoverAt(chart.scales.x(chart.model.x[1]));
    expect(legend()).toEqual({ data: "20.5", "penalty/dense/kernel": "2" });
  });

  it("notes what the decoupled chart's numbers mean", () => {
    const { card } = cardOf();
    expect(card.el.querySelector(".decoupled-note")!.textContent).toMatch(/^Each term is \(wd\/2\)·Σw²: in loss units under plain SGD only\./);
  });

  it("saves each chart as a standalone SVG with its title and legend", () => {
    const { card } = cardOf();
    const svg = card.imageSvg("main")!;
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    const texts = [...doc.querySelectorAll("text")].map((t) => t.textContent);
    expect(texts[0]).toBe("Loss composition — exp1/train");
    expect(texts).toContain("dense/kernel (kernel)");
    expect(doc.querySelectorAll("path[data-series]")).toHaveLength(6);
    expect(card.imageSvg("decoupled")).toContain("Decoupled weight decay — exp1/train");
  });

  it("offers to focus its run", () => {
    const { card, onFocus } = cardOf();
    card.el.querySelector<HTMLButtonElement>("button.focus")!.click();
    expect(onFocus).toHaveBeenCalledExactlyOnceWith("exp1/train");
  });

  it("reports a sort header click", () => {
    const { card, onSort } = cardOf();
    card.el.querySelector<HTMLButtonElement>("thead button[data-sort=share]")!.click();
    expect(onSort).toHaveBeenCalledExactlyOnceWith("share");
  });

  it("shows 20 latest rows until asked for all of them", () => {
    const steps = [0];
    const series: Record<string, number[]> = { data: [1], total: [1.25] };
    for (let k = 0; k < 25; k++) series[`penalty/l${String(k).padStart(2, "0")}/kernel`] = [0.01];
    const { card } = cardOf(parseBreakdown({ run: "many", steps, wall_times: steps, series }));
    const rows = () => card.el.querySelectorAll("table.latest-table tbody tr").length;
    const button = card.el.querySelector<HTMLButtonElement>(".show-all")!;
    expect(rows()).toBe(20);
    expect(button.hidden).toBe(false);
    expect(button.textContent).toBe("Show all 26 terms");
    button.click();
    expect(rows()).toBe(26);
    expect(button.textContent).toBe("Show the first 20");
  });

  it("draws a penalties-only run and shows the missing and unreadable notices as text", () => {
    const hostile = "penalty/<img src=x onerror=window.__xss=1>/kernel";
    const only = parseBreakdown({
      run: "p",
      steps: [0, 1],
      wall_times: [0, 1],
      series: { "penalty/a/kernel": [0.5, 0.4], [hostile]: [null, null] },
      missing: ["total", "data"],
      unreadable: [hostile],
    });
    const { card } = cardOf(only);
    expect([...card.el.querySelectorAll("path[data-series]")].map((p) => p.getAttribute("data-series"))).toEqual([
      hostile,
      "penalty/a/kernel",
    ]);
    expect(card.el.querySelector<SVGPathElement>("path[data-series='penalty/a/kernel']")!.getAttribute("d")).toMatch(/^M/);
    expect(card.el.querySelector(".notice")!.textContent).toMatch(/^This run has no regloss\/total and no regloss\/data/);
    expect(card.el.querySelector(".warning")!.textContent).toMatch(/^Unreadable series: regloss\/penalty\/<img src=x/);
    expect(card.el.querySelector("img")).toBeNull();
  });

  it("renders a hostile run name as text", () => {
    const hostile = { ...(raw as object), run: "<img src=x onerror=window.__xss=1>" };
    const { card } = cardOf(parseBreakdown(hostile));
    expect(card.el.querySelector("img")).toBeNull();
    expect(card.el.querySelector("h2")!.textContent).toBe("<img src=x onerror=window.__xss=1>");
  });
});

describe("RunCard unverified mark", () => {
  const mark = { regloss: 0.75, keras: 0.5, kerasVersion: "3.16.0" };

  it("shows one line naming both numbers and the Keras version, in an element with data-unverified", () => {
    const { card } = cardOf();
    expect(card.el.querySelector("[data-unverified]")).toBeNull();
    card.setUnverified(mark);
    const lines = card.el.querySelectorAll<HTMLElement>("[data-unverified]");
    expect(lines).toHaveLength(1);
    expect(lines[0].textContent).toBe(
      "Unverified: tb-regloss's data + penalties (0.75) differ from Keras' loss (0.5) on Keras 3.16.0",
    );
    expect(lines[0].dataset.unverified).toBe("3.16.0");
    // Kept when the charts are redrawn, gone when the mark is.
    const b = parseBreakdown(raw);
    card.update(b, buildRunView(b, settings, 500), settings, 500);
    expect(card.el.querySelectorAll("[data-unverified]")).toHaveLength(1);
    card.setUnverified(null);
    expect(card.el.querySelector("[data-unverified]")).toBeNull();
  });

  it("writes the two numbers with the fewest digits that tell them apart", () => {
    expect(unverifiedLine({ regloss: 1.2337725799530745, keras: 1.2584480047225952, kerasVersion: "3.16.0.dev2026120103" })).toBe(
      "Unverified: tb-regloss's data + penalties (1.234) differ from Keras' loss (1.258) on Keras 3.16.0.dev2026120103",
    );
    expect(unverifiedLine({ regloss: 1.00012345, keras: 1.00112345, kerasVersion: "3.17.0" })).toContain("(1) differ from Keras' loss (1.001)");
    expect(unverifiedLine({ regloss: 2.000012, keras: 2.000034, kerasVersion: "3.17.0" })).toContain("(2.00001) differ from Keras' loss (2.00003)");
  });
});
