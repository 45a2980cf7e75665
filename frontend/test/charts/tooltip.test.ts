// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { MAX_ROWS, TOOLTIP_WIDTH, Tooltip, type HoverSeries } from "../../src/charts/tooltip";

const series = (key: string, values: (number | null)[], raw = values): HoverSeries => ({
  key,
  label: key,
  color: "#123456",
  values,
  raw,
});
/** The cells shown: without smoothing, the raw column is not. */
const cells = (row: Element, withRaw = false) =>
  [...row.children].slice(1).filter((c) => withRaw || !c.classList.contains("tooltip-raw")).map((c) => c.textContent);
const rows = (t: Tooltip, withRaw = false) =>
  [...t.el.querySelectorAll<HTMLElement>(".tooltip-row:not(.tooltip-total):not(.tooltip-columns)")]
    .filter((r) => !r.hidden)
    .map((r) => cells(r, withRaw));

describe("Tooltip", () => {
  it("holds no rows until first shown after new data, then one per series up to MAX_ROWS", () => {
    const t = new Tooltip();
    const many = Array.from({ length: MAX_ROWS + 5 }, (_, k) => series(`t${k}`, [k + 1]));
    t.setSeries(many, [1000], [1000], false);
    const allRows = () => t.el.querySelectorAll(".tooltip-row:not(.tooltip-total):not(.tooltip-columns)").length;
    expect(allRows()).toBe(0);
    t.show(0, "step 0", 10, 20, 1000);
    expect(allRows()).toBe(MAX_ROWS);
    t.setSeries(many.slice(0, 3), [6], [6], false);
    expect(allRows()).toBe(MAX_ROWS); // rows are reallocated at the next fill, not on new data
    t.show(0, "step 0", 10, 20, 1000);
    expect(allRows()).toBe(3);
  });

  it("lists the terms at the step largest first, with their share of the total", () => {
    const t = new Tooltip();
    t.setSeries([series("data", [2, 1]), series("b", [0.5, 2]), series("c", [1.5, 1])], [4, 4], [4, 4], false);
    t.show(0, "step 0", 10, 20, 1000);
    expect(t.el.hidden).toBe(false);
    expect(t.el.querySelector(".tooltip-header")!.textContent).toBe("step 0");
    const total = t.el.querySelector(".tooltip-total")!;
    expect(cells(total)).toEqual(["total", "4", ""]);
    expect((t.el.querySelector(".tooltip-columns") as HTMLElement).hidden).toBe(true);
    expect(t.el.classList.contains("smoothed")).toBe(false);
    expect(rows(t)).toEqual([
      ["data", "2", "50.0%"],
      ["c", "1.5", "37.5%"],
      ["b", "0.5", "12.5%"],
    ]);
    t.show(1, "step 1", 10, 20, 1000);
    expect(rows(t)).toEqual([
      ["b", "2", "50.0%"],
      ["data", "1", "25.0%"],
      ["c", "1", "25.0%"],
    ]);
  });

  it("shows the smoothed and the raw value, headed as such, when smoothing is on", () => {
    const t = new Tooltip();
    t.setSeries([series("data", [0.2919], [0.2495]), series("b", [0.1615], [0.1653])], [0.4534], [0.4148], true);
    t.show(0, "step 184", 0, 0, 1000);
    expect(t.el.classList.contains("smoothed")).toBe(true);
    const columns = t.el.querySelector<HTMLElement>(".tooltip-columns")!;
    expect(columns.hidden).toBe(false);
    expect(cells(columns, true)).toEqual(["", "Smoothed", "Raw", "Share"]);
    expect(cells(t.el.querySelector(".tooltip-total")!, true)).toEqual(["total", "0.4534", "0.4148", ""]);
    expect(rows(t, true)).toEqual([
      ["data", "0.2919", "0.2495", "64.4%"],
      ["b", "0.1615", "0.1653", "35.6%"],
    ]);
  });

  it("leaves out terms without a value there, and uses their sum without a total", () => {
    const t = new Tooltip();
    t.setSeries([series("a", [1]), series("gap", [null]), series("bad", [NaN]), series("b", [3])], null, null, false);
    t.show(0, "step 0", 0, 0, 1000);
    expect((t.el.querySelector(".tooltip-total") as HTMLElement).hidden).toBe(true);
    expect(rows(t)).toEqual([
      ["b", "3", "75.0%"],
      ["a", "1", "25.0%"],
    ]);
  });

  it(`shows at most ${MAX_ROWS} rows and sums the rest into one line`, () => {
    const t = new Tooltip();
    const many = Array.from({ length: MAX_ROWS + 5 }, (_, k) => series(`t${k}`, [k + 1]));
    t.setSeries(many, null, null, false);
    t.show(0, "step 0", 0, 0, 1000);
    const shown = rows(t);
    expect(shown).toHaveLength(MAX_ROWS);
    expect(shown[0][0]).toBe(`t${MAX_ROWS + 4}`);
    const more = t.el.querySelector<HTMLElement>(".tooltip-more")!;
    expect(more.hidden).toBe(false);
    // The five smallest: 1 + 2 + 3 + 4 + 5 of a total of 30 * 31 / 2.
    expect(more.textContent).toBe("+ 5 smaller: 15 (3.2%)");
  });

  it("sits right of the pointer, or left of it near the right edge", () => {
    const t = new Tooltip();
    t.setSeries([series("a", [1])], null, null, false);
    t.show(0, "step 0", 100, 30, 1000);
    expect(t.el.style.transform).toBe("translate(116px, 30px)");
    t.show(0, "step 0", 900, 30, 1000);
    expect(t.el.style.transform).toBe(`translate(${900 - 16 - TOOLTIP_WIDTH}px, 30px)`);
    t.hide();
    expect(t.el.hidden).toBe(true);
  });

  it("places itself with the width it had at the last frame", () => {
    const t = new Tooltip();
    t.setSeries([series("a", [1])], null, null, false);
    t.show(0, "step 0", 500, 0, 1000);
    expect(t.el.style.transform).toBe("translate(516px, 0px)");
    Object.defineProperty(t.el, "offsetWidth", { value: 360, configurable: true });
    t.show(0, "step 0", 600, 0, 1000);
    // 600 + 16 + 360 fits in 1000; 700 + 16 + 360 does not.
    expect(t.el.style.transform).toBe("translate(616px, 0px)");
    t.show(0, "step 0", 700, 0, 1000);
    expect(t.el.style.transform).toBe(`translate(${700 - 16 - 360}px, 0px)`);
  });

  it("renders a hostile label as text", () => {
    const t = new Tooltip();
    const label = "<img src=x onerror=window.__xss=1>";
    t.setSeries([series(label, [1])], null, null, false);
    t.show(0, "step 0", 0, 0, 1000);
    expect(t.el.querySelector("img")).toBeNull();
    expect(rows(t)[0][0]).toBe(label);
  });

  it("drops the rows of the previous data on new series", () => {
    const t = new Tooltip();
    t.setSeries([series("a", [1]), series("b", [2])], null, null, false);
    t.show(0, "step 0", 0, 0, 1000);
    t.setSeries([series("c", [5])], null, null, false);
    t.show(0, "step 0", 0, 0, 1000);
    expect(rows(t)).toEqual([["c", "5", "100.0%"]]);
  });
});
