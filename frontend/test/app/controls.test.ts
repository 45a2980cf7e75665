// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { Controls } from "../../src/app/controls";
import { DEFAULTS, MAX_DEPTH } from "../../src/data/settings";

function setup() {
  const onChange = vi.fn();
  const controls = new Controls(onChange);
  document.body.replaceChildren(controls.el);
  const q = <T extends Element>(selector: string) => controls.el.querySelector<T & HTMLElement>(selector)!;
  return { controls, onChange, q };
}

function fire(el: HTMLElement, type: "input" | "change") {
  el.dispatchEvent(new Event(type, { bubbles: true }));
}

describe("Controls", () => {
  it("shows the settings without reporting a change", () => {
    const { controls, onChange, q } = setup();
    controls.update({ ...DEFAULTS, mode: "share", grouping: "topk", topK: 7, smoothing: 0.25, sharedY: true, runFilter: "exp" });
    expect(q<HTMLSelectElement>("select[name=mode]").value).toBe("share");
    expect(q<HTMLSelectElement>("select[name=grouping]").value).toBe("topk");
    expect(q<HTMLInputElement>("input[name=topk]").value).toBe("7");
    expect(q<HTMLInputElement>("input[name=topk]").disabled).toBe(false);
    expect(q<HTMLInputElement>("input[name=smoothing]").value).toBe("0.25");
    expect(q("output").textContent).toBe("0.25");
    expect(q<HTMLInputElement>("input[name=run-filter]").value).toBe("exp");
    // A shared y scale means nothing in share mode.
    expect(q<HTMLInputElement>("input[name=shared-y]").disabled).toBe(true);
    controls.update({ ...DEFAULTS, order: "name", layout: "3" });
    expect(q<HTMLSelectElement>("select[name=order]").value).toBe("name");
    expect(q<HTMLSelectElement>("select[name=layout]").value).toBe("3");
    expect(onChange).not.toHaveBeenCalled();
  });

  it("offers a log y scale, except in share mode where it says why the axis stays linear", () => {
    const { controls, onChange, q } = setup();
    const scale = q<HTMLSelectElement>("select[name=y-scale]");
    expect(scale.closest("label")!.textContent).toMatch(/^Y scale/);
    controls.update({ ...DEFAULTS, yScale: "log" });
    expect(scale.value).toBe("log");
    expect(scale.disabled).toBe(false);
    expect(scale.title).toBe("");
    controls.update({ ...DEFAULTS, yScale: "log", mode: "share" });
    expect(scale.value).toBe("linear");
    expect(scale.disabled).toBe(true);
    expect(scale.title).toBe("The 100 % share mode is always linear: its parts are fractions that add up to 100 %");
    controls.update({ ...DEFAULTS, yScale: "log", mode: "absolute" });
    expect(scale.value).toBe("log");
    expect(scale.disabled).toBe(false);
    expect(onChange).not.toHaveBeenCalled();
  });

  it("K is only editable for top-K grouping", () => {
    const { controls, q } = setup();
    controls.update({ ...DEFAULTS });
    expect(q<HTMLInputElement>("input[name=topk]").disabled).toBe(true);
  });

  it("offers the runs to focus on in the focused layout only, names as text", () => {
    const { controls, onChange, q } = setup();
    const run = q<HTMLSelectElement>("select[name=focus-run]");
    controls.update({ ...DEFAULTS });
    expect(run.parentElement!.hidden).toBe(true);
    controls.update({ ...DEFAULTS, layout: "focus" });
    expect(run.parentElement!.hidden).toBe(false);
    const hostile = "<img src=x onerror=window.__xss=1>";
    controls.setFocusRuns(["a/train", hostile], hostile);
    expect([...run.options].map((o) => o.textContent)).toEqual(["a/train", hostile]);
    expect(run.value).toBe(hostile);
    expect(run.querySelector("img")).toBeNull();
    const before = run.options[0];
    controls.setFocusRuns(["a/train", hostile], "a/train");
    expect(run.options[0]).toBe(before);
    expect(run.value).toBe("a/train");
    expect(onChange).not.toHaveBeenCalled();
    run.value = hostile;
    fire(run, "change");
    expect(onChange).toHaveBeenLastCalledWith({ focusRun: hostile });
  });

  it("reports each control as a settings patch", () => {
    const { onChange, q } = setup();
    const mode = q<HTMLSelectElement>("select[name=mode]");
    mode.value = "penalties";
    fire(mode, "change");
    expect(onChange).toHaveBeenLastCalledWith({ mode: "penalties" });
    const grouping = q<HTMLSelectElement>("select[name=grouping]");
    grouping.value = "kind";
    fire(grouping, "change");
    expect(onChange).toHaveBeenLastCalledWith({ grouping: "kind" });
    const axis = q<HTMLSelectElement>("select[name=x-axis]");
    axis.value = "relative";
    fire(axis, "change");
    expect(onChange).toHaveBeenLastCalledWith({ xAxis: "relative" });
    const scale = q<HTMLSelectElement>("select[name=y-scale]");
    scale.value = "log";
    fire(scale, "change");
    expect(onChange).toHaveBeenLastCalledWith({ yScale: "log" });
    const smoothing = q<HTMLInputElement>("input[name=smoothing]");
    smoothing.value = "0.9";
    fire(smoothing, "input");
    expect(onChange).toHaveBeenLastCalledWith({ smoothing: 0.9 });
    const shared = q<HTMLInputElement>("input[name=shared-y]");
    shared.checked = true;
    fire(shared, "change");
    expect(onChange).toHaveBeenLastCalledWith({ sharedY: true });
    const order = q<HTMLSelectElement>("select[name=order]");
    order.value = "name";
    fire(order, "change");
    expect(onChange).toHaveBeenLastCalledWith({ order: "name" });
    const layout = q<HTMLSelectElement>("select[name=layout]");
    expect([...layout.options].map((o) => o.value)).toEqual(["auto", "1", "2", "3", "focus"]);
    layout.value = "focus";
    fire(layout, "change");
    expect(onChange).toHaveBeenLastCalledWith({ layout: "focus" });
  });

  it("accepts K from 1 to 100 only", () => {
    const { onChange, q } = setup();
    const k = q<HTMLInputElement>("input[name=topk]");
    k.value = "0";
    fire(k, "change");
    k.value = "101";
    fire(k, "change");
    expect(onChange).not.toHaveBeenCalled();
    k.value = "12";
    fire(k, "change");
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ topK: 12 });
  });

  it("accepts a depth from 1 to MAX_DEPTH, enabled only when grouping by block", () => {
    const { controls, onChange, q } = setup();
    const depth = q<HTMLInputElement>("input[name=depth]");
    controls.update({ ...DEFAULTS, grouping: "layer", depth: 2 });
    expect(depth.disabled).toBe(true);
    expect(depth.value).toBe("2");
    controls.update({ ...DEFAULTS, grouping: "block", depth: 2 });
    expect(depth.disabled).toBe(false);
    depth.value = "0";
    fire(depth, "change");
    depth.value = String(MAX_DEPTH + 1);
    fire(depth, "change");
    expect(onChange).not.toHaveBeenCalled();
    depth.value = "3";
    fire(depth, "change");
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ depth: 3 });
  });

  it("flags an invalid run filter instead of applying it", () => {
    const { onChange, q } = setup();
    const filter = q<HTMLInputElement>("input[name=run-filter]");
    filter.value = "exp1/(";
    fire(filter, "input");
    expect(filter.getAttribute("aria-invalid")).toBe("true");
    expect(q(".filter-error").textContent).toBe("Not a valid regular expression");
    expect(onChange).not.toHaveBeenCalled();
    filter.value = "exp1/t";
    fire(filter, "input");
    expect(filter.getAttribute("aria-invalid")).toBe("false");
    expect(q(".filter-error").textContent).toBe("");
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ runFilter: "exp1/t" });
  });
});
