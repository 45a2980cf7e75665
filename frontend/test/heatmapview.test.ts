// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stepChannel } from "../src/channel";
import { HeatmapView, LABELLED_ROWS, heatmapFrame, rowHeight, stepIndexAt } from "../src/heatmapview";
import { stepTotals } from "../src/rank";
import { mockCanvas } from "./canvas_mock";

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

describe("rowHeight", () => {
  it("is tall enough for labels up to LABELLED_ROWS, then shares the box down to 3 px", () => {
    expect(rowHeight(1)).toBe(14);
    expect(rowHeight(LABELLED_ROWS)).toBe(14);
    expect(rowHeight(64)).toBe(5);
    expect(rowHeight(1000)).toBe(3);
  });
});

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

describe("stepIndexAt", () => {
  it("is the last step of the column under x, clamped to the plot", () => {
    const start = [0, 3, 6, 10]; // three columns over ten steps
    expect(stepIndexAt(0, 300, 3, start)).toBe(2);
    expect(stepIndexAt(150, 300, 3, start)).toBe(5);
    expect(stepIndexAt(299, 300, 3, start)).toBe(9);
    expect(stepIndexAt(-5, 300, 3, start)).toBe(2);
    expect(stepIndexAt(900, 300, 3, start)).toBe(9);
    expect(stepIndexAt(10, 300, 0, [0])).toBeNull();
  });
});

describe("heatmapFrame", () => {
  it("puts the lead before the key, reports hovers, and clears the readout on leaving", () => {
    const hover = vi.fn();
    const onStep = vi.fn();
    const f = heatmapFrame("heatmap x", "red", (head) => head.append("LEAD"), hover, heard(onStep));
    expect(f.el.className).toBe("heatmap x");
    expect(f.head.firstChild?.textContent).toBe("LEAD");
    expect(f.head.querySelector(".heatmap-key")).not.toBeNull();
    expect(f.canvas.getAttribute("role")).toBe("img");
    expect(f.cursor.hidden).toBe(true);
    f.canvas.dispatchEvent(new MouseEvent("mousemove"));
    expect(hover).toHaveBeenCalledTimes(1);
    f.cursor.hidden = false;
    f.readout.textContent = "something";
    f.canvas.dispatchEvent(new MouseEvent("mouseleave"));
    expect(f.cursor.hidden).toBe(true);
    expect(f.readout.textContent).toBe("\u00a0");
    expect(onStep).toHaveBeenCalledWith(null);
  });
});
