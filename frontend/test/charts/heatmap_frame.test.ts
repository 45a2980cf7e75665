// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { stepChannel } from "../../src/charts/channel";
import { heatmapFrame, LABELLED_ROWS, rowHeight } from "../../src/charts/heatmap_frame";

/** A step channel that tells `onStep` every step set on it. */
function heard(onStep: (i: number | null) => void) {
  const step = stepChannel();
  step.listen(onStep);
  return step;
}

describe("rowHeight", () => {
  it("is tall enough for labels up to LABELLED_ROWS, then shares the box down to 3 px", () => {
    expect(rowHeight(1)).toBe(14);
    expect(rowHeight(LABELLED_ROWS)).toBe(14);
    expect(rowHeight(64)).toBe(5);
    expect(rowHeight(1000)).toBe(3);
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
