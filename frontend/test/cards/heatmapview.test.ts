// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stepChannel } from "../../src/charts/channel";
import { LABELLED_ROWS } from "../../src/charts/heatmap_frame";
import { HeatmapView } from "../../src/cards/heatmapview";
import { stepTotals } from "../../src/data/rank";
import { mockCanvas } from "../canvas_mock";

beforeEach(() => {
  mockCanvas();
});
afterEach(() => vi.restoreAllMocks());

function groups(n: number) {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, label: `"q'ü🚀 <b>${i}`, values: [n - i, n - i] }));
}

/** A step channel that tells `onStep` every step set on it. */
function heard(onStep: (i: number | null) => void) {
  const step = stepChannel();
  step.listen(onStep);
  return step;
}

function view(n: number, onStep = vi.fn(), onPick = vi.fn()) {
  const h = new HeatmapView(heard(onStep), onPick);
  const g = groups(n);
  h.update(g, [100, 200], stepTotals(g, 2), 400, "heatmap of run r");
  return h;
}

describe("HeatmapView", () => {
  it("labels its rows as text, and sizes the canvas one pixel per cell", () => {
    const h = view(3);
    const labels = [...h.el.querySelectorAll(".heatmap-label")].map((e) => e.textContent);
    expect(labels).toEqual([`"q'ü🚀 <b>0`, `"q'ü🚀 <b>1`, `"q'ü🚀 <b>2`]);
    expect(h.el.querySelector("b")).toBeNull();
    const canvas = h.el.querySelector("canvas")!;
    expect([canvas.width, canvas.height]).toEqual([2, 3]);
    expect(canvas.style.height).toBe("42px");
    expect(canvas.getAttribute("aria-label")).toBe("heatmap of run r");
    expect(h.el.querySelector(".heatmap-key")!.textContent).toBe("0.0%50.0%");
  });

  it("drops the labels past LABELLED_ROWS rows", () => {
    const h = view(LABELLED_ROWS + 1);
    expect(h.el.querySelectorAll(".heatmap-label")).toHaveLength(0);
    expect((h.el.querySelector(".heatmap-labels") as HTMLElement).hidden).toBe(true);
  });

  it("names the cell under the pointer and reports its step", () => {
    const onStep = vi.fn();
    const h = view(3, onStep);
    // Labelled rows are 14 px; the canvas is 400 - 140 px wide, 2 columns.
    h.hover(200, 15);
    expect(onStep).toHaveBeenLastCalledWith(1);
    expect(h.el.querySelector(".heatmap-readout")!.textContent).toBe(`"q'ü🚀 <b>1 · step 200: 2 (33.3% of the penalties)`);
    h.hover(10, 1);
    expect(onStep).toHaveBeenLastCalledWith(0);
  });

  it("picks the key of a clicked label", () => {
    const onPick = vi.fn();
    const h = view(3, vi.fn(), onPick);
    (h.el.querySelectorAll(".heatmap-label")[2] as HTMLElement).click();
    expect(onPick).toHaveBeenCalledExactlyOnceWith("k2");
  });

  it("switches to values on a log scale", () => {
    const h = view(3);
    const select = h.el.querySelector<HTMLSelectElement>("select[name=heatmap-color]")!;
    select.value = "log";
    select.dispatchEvent(new Event("change"));
    expect(h.el.querySelector(".heatmap-key")!.textContent).toBe("13");
  });
});
