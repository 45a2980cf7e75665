// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stepChannel } from "../../src/charts/channel";
import { powerOfTen, RatioHeatmapView } from "../../src/dynamics/ratio_heatmapview";
import { mockCanvas } from "../canvas_mock";

let put: ImageData[] = [];
beforeEach(() => {
  put = [];
  mockCanvas((image) => put.push(image));
});
afterEach(() => vi.restoreAllMocks());

const HOSTILE = `<img src=x onerror=1>"q'ü🚀`;

/** A heatmap drawn with three steps; `onStep` hears every step it sets. */
function view(onStep = vi.fn()) {
  const step = stepChannel();
  step.listen(onStep);
  const h = new RatioHeatmapView(step);
  h.update(
    [
      { key: "a", label: HOSTILE, values: [0.01, 0.1, 1] },
      { key: "b", label: "b", values: [100, null, 1] },
    ],
    [0, 10, 20],
    440,
    "decay ratio of run r",
  );
  return h;
}

describe("powerOfTen", () => {
  it("writes small powers plainly and large ones as 1eN", () => {
    expect([-3, -2, -1, 1, 2, 3].map(powerOfTen)).toEqual(["1e-3", "0.01", "0.1", "10", "100", "1e3"]);
  });
});

describe("RatioHeatmapView", () => {
  it("draws one pixel per cell, labels rows as text and keys the symmetric span", () => {
    const h = view();
    expect(put).toHaveLength(1);
    expect([put[0].width, put[0].height]).toEqual([3, 2]);
    expect([...h.el.querySelectorAll(".heatmap-label")].map((e) => e.textContent)).toEqual([HOSTILE, "b"]);
    expect(h.el.querySelector("img")).toBeNull();
    const key = h.el.querySelector(".heatmap-key")!;
    expect(key.firstElementChild!.textContent).toBe("0.01");
    expect(key.lastElementChild!.textContent).toBe("100");
    expect(h.el.querySelector(".ratio-note")!.textContent).toContain("1 = decay as strong as the data");
    const canvas = h.el.querySelector("canvas")!;
    expect(canvas.getAttribute("aria-label")).toBe("decay ratio of run r");
    expect(canvas.style.width).toBe("300px");
  });

  it("names group, step and ratio on hover and reports the step", () => {
    const onStep = vi.fn();
    const h = view(onStep);
    h.hover(0, 3);
    expect(h.el.querySelector(".heatmap-readout")!.textContent).toBe(
      `${HOSTILE} · step 0: ratio 0.01 (decay 100× weaker than the data)`,
    );
    expect(onStep).toHaveBeenLastCalledWith(0);
    h.hover(299, 20);
    expect(h.el.querySelector(".heatmap-readout")!.textContent).toBe("b · step 20: ratio 1 (decay as strong as the data)");
    expect(onStep).toHaveBeenLastCalledWith(2);
    h.hover(150, 20);
    expect(h.el.querySelector(".heatmap-readout")!.textContent).toBe("b · step 10: ratio – (no value)");
  });
});
