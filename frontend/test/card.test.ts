import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown } from "../src/api";
import { RunCard } from "../src/card";
import { DEFAULTS, type Settings } from "../src/settings";
import { buildRunView } from "../src/view";
import { loadFixture } from "./fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const settings: Settings = { ...DEFAULTS, smoothing: 0 };
const colorOf = () => "#4e79a7";

function cardOf(b = parseBreakdown(raw), s = settings) {
  const onSort = vi.fn();
  const card = new RunCard(colorOf, onSort);
  card.update(b, buildRunView(b, s, 500), s, 500);
  return { card, onSort };
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
    expect(latest.querySelectorAll("tbody tr")).toHaveLength(6);
    expect(card.el.querySelector<HTMLElement>(".show-all")!.hidden).toBe(true);
  });

  it("lists the groups in the latest values when the chart groups the terms", () => {
    const { card } = cardOf(parseBreakdown(raw), { ...settings, grouping: "block", depth: 1 });
    const rows = [...card.el.querySelectorAll("table.latest-table tbody tr")].map((r) => (r as HTMLElement).dataset.key);
    expect(rows.sort()).toEqual(["block:conv", "block:dense", "block:model", "data"]);
  });

  it("follows the chart's hover in the many-terms view and highlights a clicked band", async () => {
    const { highlight } = await import("../src/highlight");
    const { HOVER_EVENT } = await import("../src/chart");
    // Enough terms for the many-terms view: the fixture's five and 25 more.
    const many = structuredClone(raw) as { series: Record<string, unknown>; steps: number[] };
    for (let i = 0; i < 25; i++) many.series[`penalty/extra/d${i}/kernel`] = many.steps.map(() => 0.001);
    const { card } = cardOf(parseBreakdown(many));
    const chart = card.el.querySelector<HTMLElement>(".chart")!;
    chart.dispatchEvent(new CustomEvent(HOVER_EVENT, { detail: 2 }));
    expect(card.el.querySelector(".bars-heading")!.textContent).toBe("Penalties at step 100, largest first");
    // jsdom does no hit testing: the band under the pointer is what elementsFromPoint says.
    const band = card.el.querySelector<SVGPathElement>("path[data-series='penalty/dense/kernel']")!;
    document.elementsFromPoint = () => [card.el.querySelector("rect.overlay")!, band];
    document.body.replaceChildren(card.el);
    chart.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: 5, clientY: 5 }));
    expect(highlight.key).toBe("penalty/dense/kernel");
    highlight.set(null);
  });

  it("hides the decoupled chart of a run without decoupled decay", () => {
    const plain = structuredClone(raw) as { series: Record<string, unknown> };
    delete plain.series["decoupled/dense/kernel"];
    const { card } = cardOf(parseBreakdown(plain));
    expect(card.el.querySelector<HTMLElement>(".decoupled-heading")!.hidden).toBe(true);
    expect(card.el.querySelectorAll("path[data-series]")).toHaveLength(6);
  });

  it("keeps no area of a chart whose series are all hidden, and draws one shown again", () => {
    const b = parseBreakdown(raw);
    const { card } = cardOf(b);
    const keys = buildRunView(b, settings, 500).legend.map((e) => e.key);
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
